import { and, eq, inArray, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { identities, noticeChannels, notificationPreferences, type NoticeChannel } from "@/db/schema";
import { auditedTransaction, recordAudit } from "@/lib/audit/record";
import { actorOf, requireRole, type Caller } from "@/lib/caller";
import { ForbiddenError, parseInput } from "@/lib/errors";
import { chatConfig, emailConfig } from "./config";
import { NOTICE_EVENTS, noticeEvents, type NoticeEvent } from "./events";

const channelsInput = z
  .array(z.enum(noticeChannels, { message: `Channels are: ${noticeChannels.join(", ")}.` }), { message: "Give a list of channels." })
  .max(noticeChannels.length)
  .refine((c) => new Set(c).size === c.length, "Name each channel once.")
  .refine((c) => !(c.includes("email") && c.includes("digest")), "Choose email at once or the daily digest, not both.");

/** `{ "approval_needed": ["email", "chat"], "review_reminder": null }`: null goes back to the default. */
export const preferencesInput = z
  .object(
    Object.fromEntries(noticeEvents.map((e) => [e, channelsInput.nullable().optional()])) as Record<
      NoticeEvent,
      z.ZodOptional<z.ZodNullable<typeof channelsInput>>
    >,
  )
  .strict()
  .refine((p) => Object.keys(p).length > 0, "Name at least one event.");

type Availability = { email: boolean; chat: boolean };

/** What can reach a person at all: email needs a mail server and their address; chat needs a chat integration. */
const availability = (email: string | null): Availability => ({ email: !!emailConfig() && !!email, chat: !!chatConfig() });

const usable = (channels: readonly NoticeChannel[], a: Availability) => channels.filter((c) => (c === "chat" ? a.chat : a.email));

async function defaultRows(db: Tx) {
  const rows = await db.select().from(notificationPreferences).where(isNull(notificationPreferences.identityId));
  return new Map(rows.map((r) => [r.event, r.channels]));
}

function defaultsOf(rows: Map<string, NoticeChannel[]>) {
  return Object.fromEntries(noticeEvents.map((e) => [e, rows.get(e) ?? [...NOTICE_EVENTS[e].defaults]])) as Record<NoticeEvent, NoticeChannel[]>;
}

/** The organisation's defaults per event (admins' choice, else the catalogue's), with what is configured. */
export async function getNotificationDefaults(db: Tx, caller: Caller) {
  requireRole(caller, "admin", "auditor");
  const defaults = defaultsOf(await defaultRows(db));
  return {
    configured: { email: !!emailConfig(), chat: chatConfig()?.mode ?? null },
    events: noticeEvents.map((e) => ({ event: e, label: NOTICE_EVENTS[e].label, description: NOTICE_EVENTS[e].description, channels: defaults[e] })),
  };
}

/** A person's channels per event: their own choice where made, else the default; and which channels can reach them. */
export async function getMyNotificationPreferences(db: Tx, caller: Caller) {
  if (caller.token) throw new ForbiddenError("Notification preferences are for people.");
  const [mine, defaults] = await Promise.all([
    db.select().from(notificationPreferences).where(eq(notificationPreferences.identityId, caller.identityId)),
    defaultRows(db).then(defaultsOf),
  ]);
  const own = new Map(mine.map((r) => [r.event, r.channels]));
  return {
    available: { ...availability(caller.email), address: caller.email },
    events: noticeEvents.map((e) => ({
      event: e,
      label: NOTICE_EVENTS[e].label,
      description: NOTICE_EVENTS[e].description,
      channels: own.get(e) ?? defaults[e],
      default: defaults[e],
      source: own.has(e) ? ("yours" as const) : ("default" as const),
    })),
  };
}

async function writePreferences(tx: Tx, identityId: string | null, input: Partial<Record<NoticeEvent, NoticeChannel[] | null>>) {
  const owner = identityId === null ? isNull(notificationPreferences.identityId) : eq(notificationPreferences.identityId, identityId);
  const events = Object.keys(input) as NoticeEvent[];
  const before = await tx
    .select()
    .from(notificationPreferences)
    .where(and(owner, inArray(notificationPreferences.event, events)));
  for (const event of events) {
    const channels = input[event];
    if (channels === null || channels === undefined) {
      await tx.delete(notificationPreferences).where(and(owner, eq(notificationPreferences.event, event)));
      continue;
    }
    await tx
      .insert(notificationPreferences)
      .values({ identityId, event, channels })
      .onConflictDoUpdate({ target: [notificationPreferences.identityId, notificationPreferences.event], set: { channels, updatedAt: new Date() } });
  }
  return { before: Object.fromEntries(before.map((r) => [r.event, r.channels])), after: input };
}

/** A person sets where their own notices go (null: back to the default). Audited like every change. */
export async function setMyNotificationPreferences(db: Db, caller: Caller, raw: unknown) {
  if (caller.token) throw new ForbiddenError("Notification preferences are for people.");
  const input = parseInput(preferencesInput, raw);
  await auditedTransaction(db, async (tx) => {
    const change = await writePreferences(tx, caller.identityId, input);
    await recordAudit(tx, actorOf(caller), { action: "notification.preferences_set", entityType: "identity", entityId: caller.identityId, ...change });
  });
  return getMyNotificationPreferences(db, caller);
}

/** Admins set the organisation's defaults, which apply to everyone who has not chosen. */
export async function setNotificationDefaults(db: Db, caller: Caller, raw: unknown) {
  requireRole(caller, "admin");
  const input = parseInput(preferencesInput, raw);
  await auditedTransaction(db, async (tx) => {
    const change = await writePreferences(tx, null, input);
    await recordAudit(tx, actorOf(caller), { action: "notification.defaults_set", entityType: "notification_defaults", entityId: "organisation", ...change });
  });
  return getNotificationDefaults(db, caller);
}

/**
 * The channels each recipient gets an event through, beyond the app: their
 * choice, else the default, less what cannot reach them (no mail server, no
 * address, no chat integration). One query for any number of recipients.
 */
export async function channelsFor(tx: Tx, recipientIds: string[], event: NoticeEvent | null): Promise<Map<string, NoticeChannel[]>> {
  const out = new Map<string, NoticeChannel[]>();
  if (!event || recipientIds.length === 0 || (!emailConfig() && !chatConfig())) return out;
  const defaults = defaultsOf(await defaultRows(tx))[event];
  for (let i = 0; i < recipientIds.length; i += 1000) {
    const ids = recipientIds.slice(i, i + 1000);
    const rows = await tx
      .select({ id: identities.id, email: identities.email, channels: notificationPreferences.channels })
      .from(identities)
      .leftJoin(notificationPreferences, and(eq(notificationPreferences.identityId, identities.id), eq(notificationPreferences.event, event)))
      .where(inArray(identities.id, ids));
    for (const r of rows) out.set(r.id, usable(r.channels ?? defaults, availability(r.email)));
  }
  return out;
}
