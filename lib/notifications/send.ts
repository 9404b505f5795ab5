import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { identities, notificationDeliveries, notifications } from "@/db/schema";
import { isPermanentMailError, renderDigest, renderNotice, sendMail } from "./email";
import { ChatError, sendChat } from "./slack";

/** How long a sender holds a claimed delivery: one that crashes mid-send is tried again after this. */
const LEASE_MS = 5 * 60_000;
export const MAX_ATTEMPTS = 10;
/** 30 s, 1 min, 2 min, … capped at 6 h: about two days of outage before a delivery is given up. */
export const backoffMs = (attempts: number) => Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 6 * 3_600_000);
const BATCH = 50;

type Claimed = {
  id: string;
  attempts: number;
  recipientId: string;
  email: string | null;
  name: string;
  kind: string;
  title: string;
  body: string | null;
  link: string | null;
  subjectId: string | null;
  createdAt: Date;
};

/** Takes up to `limit` due deliveries of one channel: their next attempt moves a lease ahead, so no other sender takes them meanwhile. */
async function claim(db: Db, channel: "email" | "chat" | "digest", now: Date, limit: number, recipientId?: string): Promise<Claimed[]> {
  const due = db
    .select({ id: notificationDeliveries.id })
    .from(notificationDeliveries)
    .innerJoin(notifications, eq(notifications.id, notificationDeliveries.notificationId))
    .where(
      and(
        eq(notificationDeliveries.channel, channel),
        eq(notificationDeliveries.status, "pending"),
        lte(notificationDeliveries.nextAttemptAt, now),
        recipientId ? eq(notifications.recipientId, recipientId) : undefined,
      ),
    )
    .orderBy(asc(notificationDeliveries.nextAttemptAt))
    .limit(limit)
    .for("update", { of: notificationDeliveries, skipLocked: true });
  const leased = await db
    .update(notificationDeliveries)
    .set({ attempts: sql`${notificationDeliveries.attempts} + 1`, nextAttemptAt: new Date(now.getTime() + LEASE_MS) })
    .where(inArray(notificationDeliveries.id, due))
    .returning({ id: notificationDeliveries.id, attempts: notificationDeliveries.attempts });
  if (leased.length === 0) return [];
  const attempts = new Map(leased.map((l) => [l.id, l.attempts]));
  const rows = await db
    .select({
      id: notificationDeliveries.id,
      recipientId: notifications.recipientId,
      email: identities.email,
      name: identities.displayName,
      kind: notifications.kind,
      title: notifications.title,
      body: notifications.body,
      link: notifications.link,
      subjectId: notifications.subjectId,
      createdAt: notifications.createdAt,
    })
    .from(notificationDeliveries)
    .innerJoin(notifications, eq(notifications.id, notificationDeliveries.notificationId))
    .innerJoin(identities, eq(identities.id, notifications.recipientId))
    .where(inArray(notificationDeliveries.id, [...attempts.keys()]))
    .orderBy(asc(notifications.createdAt));
  return rows.map((r) => ({ ...r, attempts: attempts.get(r.id)! }));
}

async function succeeded(db: Db, ids: string[], now = new Date()) {
  if (ids.length) await db.update(notificationDeliveries).set({ status: "sent", sentAt: now, lastError: null }).where(inArray(notificationDeliveries.id, ids));
}

/** A failed attempt backs off, or gives up when no retry can help or the attempts are spent; the error stays on the row for admins. */
async function failed(db: Db, rows: Claimed[], error: unknown, permanent: boolean, now = new Date()) {
  const message = ((error as Error).message ?? String(error)).slice(0, 500);
  for (const r of rows) {
    const dead = permanent || r.attempts >= MAX_ATTEMPTS;
    await db
      .update(notificationDeliveries)
      .set(dead ? { status: "dead", lastError: message } : { lastError: message, nextAttemptAt: new Date(now.getTime() + backoffMs(r.attempts)) })
      .where(eq(notificationDeliveries.id, r.id));
  }
}

export type SendSummary = { sent: number; failed: number; dead: number };

/**
 * Sends what is due on one channel, outside any transaction (a slow server
 * holds no lock). When the server itself is unreachable, the rest of the batch
 * backs off untried: an outage costs one timeout per pass, not one per notice.
 */
export async function sendDue(db: Db, channel: "email" | "chat", now = new Date(), limit = 500): Promise<SendSummary> {
  const summary: SendSummary = { sent: 0, failed: 0, dead: 0 };
  while (summary.sent + summary.failed + summary.dead < limit) {
    const batch = await claim(db, channel, now, Math.min(BATCH, limit));
    if (batch.length === 0) break;
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i];
      try {
        if (channel === "email") await sendMail(renderNotice(r.email ?? "", r));
        else await sendChat(r, r);
        await succeeded(db, [r.id]);
        summary.sent++;
      } catch (error) {
        const permanent = channel === "email" ? isPermanentMailError(error) || !r.email : error instanceof ChatError && error.permanent;
        const outage = channel === "email" ? !(error as { responseCode?: number }).responseCode : !(error instanceof ChatError && error.permanent);
        const hit = outage ? batch.slice(i) : [r];
        await failed(db, hit, error, permanent);
        const deadNow = hit.filter((h) => permanent || h.attempts >= MAX_ATTEMPTS).length;
        summary.dead += deadNow;
        summary.failed += hit.length - deadNow;
        if (outage) return summary;
      }
    }
  }
  return summary;
}

/**
 * The daily digest: one mail per person with every notice they asked to
 * receive that way since the last one. Sent, or backed off, as one.
 */
export async function sendDigests(db: Db, now = new Date()): Promise<SendSummary & { people: number }> {
  const people = await db
    .selectDistinct({ id: notifications.recipientId })
    .from(notificationDeliveries)
    .innerJoin(notifications, eq(notifications.id, notificationDeliveries.notificationId))
    .where(and(eq(notificationDeliveries.channel, "digest"), eq(notificationDeliveries.status, "pending"), lte(notificationDeliveries.nextAttemptAt, now)));
  const summary = { sent: 0, failed: 0, dead: 0, people: 0 };
  for (const { id } of people) {
    const rows = await claim(db, "digest", now, 200, id);
    if (rows.length === 0) continue;
    const email = rows[0].email;
    try {
      if (!email) throw new Error(`${rows[0].name} has no email address.`);
      await sendMail(renderDigest(email, rows));
      await succeeded(
        db,
        rows.map((r) => r.id),
      );
      summary.sent += rows.length;
      summary.people++;
    } catch (error) {
      const permanent = !email || isPermanentMailError(error);
      await failed(db, rows, error, permanent);
      summary.failed += rows.length;
      // The mail server is unreachable: everyone else's digest waits for the next pass too.
      if (email && !(error as { responseCode?: number }).responseCode) break;
    }
  }
  return summary;
}
