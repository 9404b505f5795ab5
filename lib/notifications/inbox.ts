import { and, count, desc, eq, inArray, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { notifications } from "@/db/schema";
import { ForbiddenError, parseInput, withoutBlanks } from "@/lib/errors";
import { offsetOf, pageFields, paged } from "@/lib/paging";
import type { Caller } from "@/lib/caller";

export const inboxQuery = z.object({
  unread: z.enum(["0", "1"], { message: "Unread is 0 or 1." }).optional(),
  ...pageFields,
});

function personal(caller: Caller) {
  // Notices are for people; a token acting as an NHI has no inbox.
  if (caller.token) throw new ForbiddenError("Notifications are for people.");
  return eq(notifications.recipientId, caller.identityId);
}

/** The caller's notices, newest first. */
export async function listNotifications(db: Tx, caller: Caller, raw: unknown) {
  const q = parseInput(inboxQuery, withoutBlanks(raw));
  const where = and(personal(caller), q.unread === "1" ? isNull(notifications.readAt) : undefined);
  const [rows, [{ n }], [{ unread }]] = await Promise.all([
    db.select().from(notifications).where(where).orderBy(desc(notifications.createdAt), desc(notifications.id)).limit(q.pageSize).offset(offsetOf(q)),
    db.select({ n: count() }).from(notifications).where(where),
    db
      .select({ unread: count() })
      .from(notifications)
      .where(and(personal(caller), isNull(notifications.readAt))),
  ]);
  return { ...paged(rows, n, q), unread };
}

export async function unreadCount(db: Tx, caller: Caller): Promise<number> {
  const [{ n }] = await db
    .select({ n: count() })
    .from(notifications)
    .where(and(personal(caller), isNull(notifications.readAt)));
  return n;
}

export const markReadInput = z.union(
  [
    z.object({ ids: z.array(z.uuid("Each notification must be an id.")).min(1, "Name at least one notification.").max(500) }).strict(),
    z.object({ all: z.literal(true) }).strict(),
  ],
  { message: 'Send {"ids": [...]} or {"all": true}.' },
);

/** Marks the caller's own notices read; other people's ids are ignored, never touched. */
export async function markRead(db: Db, caller: Caller, raw: unknown) {
  const input = parseInput(markReadInput, raw);
  const updated = await db
    .update(notifications)
    .set({ readAt: new Date() })
    .where(and(personal(caller), isNull(notifications.readAt), "ids" in input ? inArray(notifications.id, input.ids) : undefined))
    .returning({ id: notifications.id });
  return { read: updated.length };
}
