import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { identities, notificationDeliveries, notifications, roleAssignments } from "@/db/schema";
import { enqueue } from "@/lib/jobs/enqueue";
import { eventOfKind, type NoticeKind } from "./events";
import { channelsFor } from "./preferences";

export type Notice = {
  /** One of the catalogue's kinds (events.ts): it decides which preference applies. */
  kind: NoticeKind;
  title: string;
  body?: string;
  /** Where the notice leads in the app. */
  link?: string;
  /** What it is about, where a channel can act on it (the JIT request a chat message offers to approve). */
  subjectId?: string;
};

export const SEND_QUEUE = "notifications.send";

const DAY = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
/** A date in a notice's words, as the app shows dates ("2 Dec 2026"); notices are read in mail and chat, away from the app's formatting. */
export const noticeDate = (d: Date) => DAY.format(d);

/**
 * Notifies each recipient once, in the caller's transaction, so a notice
 * exists only if its cause committed. The deliveries each recipient's
 * preferences ask for (email, chat, digest) are written in the same
 * transaction and sent by a job, so a mail or chat outage never fails or
 * delays the change that caused the notice, and loses nothing.
 */
export async function notify(tx: Tx, recipientIds: Iterable<string>, notice: Notice): Promise<number> {
  const ids = [...new Set(recipientIds)];
  const plan = await channelsFor(tx, ids, eventOfKind(notice.kind));
  let immediate = false;
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await tx
      .insert(notifications)
      .values(ids.slice(i, i + 1000).map((recipientId) => ({ recipientId, ...notice })))
      .returning({ id: notifications.id, recipientId: notifications.recipientId });
    const deliveries = rows.flatMap((r) => (plan.get(r.recipientId) ?? []).map((channel) => ({ notificationId: r.id, channel })));
    for (let j = 0; j < deliveries.length; j += 1000) await tx.insert(notificationDeliveries).values(deliveries.slice(j, j + 1000));
    immediate ||= deliveries.some((d) => d.channel !== "digest");
  }
  // One send job per second's worth of notices, started when that second ends; the minute's sweep catches stragglers.
  if (immediate) {
    const second = Math.floor(Date.now() / 1000);
    await enqueue(tx, SEND_QUEUE, {}, { key: `second:${second}`, startAfter: new Date((second + 1) * 1000) });
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
