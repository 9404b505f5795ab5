import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { identities, notifications, roleAssignments } from "@/db/schema";

export type Notice = {
  /** e.g. "review.reminder", "jit.pending", "jit.break_glass". */
  kind: string;
  title: string;
  body?: string;
  /** Where the notice leads in the app. */
  link?: string;
};

/** Notifies each recipient once, in the caller's transaction, so a notice exists only if its cause committed. */
export async function notify(tx: Tx, recipientIds: Iterable<string>, notice: Notice): Promise<number> {
  const ids = [...new Set(recipientIds)];
  for (let i = 0; i < ids.length; i += 1000) {
    await tx.insert(notifications).values(ids.slice(i, i + 1000).map((recipientId) => ({ recipientId, ...notice })));
  }
  return ids.length;
}

/**
 * Notices that asked for something now done or moot (an approval given, a
 * request no longer pending): marked read, for these recipients or everyone,
 * in the transaction of what settled them, so counts and bells agree with
 * the work at once.
 */
export async function settleNotices(tx: Tx, notice: { kind: string; link: string }, recipientIds?: string[]) {
  await tx
    .update(notifications)
    .set({ readAt: new Date() })
    .where(
      and(
        eq(notifications.kind, notice.kind),
        eq(notifications.link, notice.link),
        isNull(notifications.readAt),
        recipientIds ? inArray(notifications.recipientId, recipientIds) : undefined,
      ),
    );
}

/** Notifies every active admin: where work has nobody else to go to. */
export async function notifyAdmins(tx: Tx, notice: Notice): Promise<number> {
  const admins = await tx
    .select({ id: roleAssignments.identityId })
    .from(roleAssignments)
    .innerJoin(identities, eq(identities.id, roleAssignments.identityId))
    .where(and(eq(roleAssignments.role, "admin"), eq(identities.status, "active")));
  return notify(
    tx,
    admins.map((a) => a.id),
    notice,
  );
}
