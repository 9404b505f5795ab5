import { sql } from "drizzle-orm";
import { index, integer, pgEnum, pgTable, primaryKey, text, unique, uuid } from "drizzle-orm/pg-core";
import { id, tz } from "./columns";
import { identities } from "./identity";

/** In-app notices: review reminders, approvals waiting, break-glass use, escalations. */
export const notifications = pgTable(
  "notifications",
  {
    id: id(),
    recipientId: uuid("recipient_id")
      .notNull()
      .references(() => identities.id),
    // e.g. "review.reminder", "jit.pending", "jit.break_glass"; drives the icon, filters and the event a person's preferences name.
    kind: text("kind").notNull(),
    title: text("title").notNull(),
    body: text("body"),
    // Where the notice leads in the app (a campaign, a request).
    link: text("link"),
    // What it is about, where a channel can act on it (a JIT request a chat message offers to approve).
    subjectId: uuid("subject_id"),
    createdAt: tz("created_at").notNull().defaultNow(),
    readAt: tz("read_at"),
  },
  (t) => [
    index("notifications_recipient_idx").on(t.recipientId, t.createdAt),
    index("notifications_unread_idx")
      .on(t.recipientId)
      .where(sql`${t.readAt} is null`),
  ],
);

/** Channels beyond the in-app inbox (which always receives every notice). */
export const noticeChannels = ["email", "chat", "digest"] as const;
export type NoticeChannel = (typeof noticeChannels)[number];
export const noticeChannel = pgEnum("notice_channel", noticeChannels);

/**
 * Where a person wants each event (lib/notifications/events.ts) to reach them;
 * the row without a person is the organisation's default, set by admins.
 */
export const notificationPreferences = pgTable(
  "notification_preferences",
  {
    id: id(),
    identityId: uuid("identity_id").references(() => identities.id),
    event: text("event").notNull(),
    channels: noticeChannel("channels").array().notNull(),
    updatedAt: tz("updated_at").notNull().defaultNow(),
  },
  (t) => [unique("notification_preferences_key").on(t.identityId, t.event).nullsNotDistinct()],
);

export const noticeDeliveryStatus = pgEnum("notice_delivery_status", ["pending", "sent", "dead"]);

/**
 * One notice on its way out through one channel. Rows are written in the
 * transaction of the notice, so nothing is lost if the mail server or chat is
 * down; a sender leases a row (next_attempt_at moves ahead), sends outside any
 * transaction, then records the outcome or backs off.
 */
export const notificationDeliveries = pgTable(
  "notification_deliveries",
  {
    id: id(),
    notificationId: uuid("notification_id")
      .notNull()
      .references(() => notifications.id),
    channel: noticeChannel("channel").notNull(),
    status: noticeDeliveryStatus("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: tz("next_attempt_at").notNull().defaultNow(),
    lastError: text("last_error"),
    sentAt: tz("sent_at"),
    createdAt: tz("created_at").notNull().defaultNow(),
  },
  (t) => [
    unique("notification_deliveries_key").on(t.notificationId, t.channel),
    index("notification_deliveries_due_idx")
      .on(t.channel, t.nextAttemptAt)
      .where(sql`${t.status} = 'pending'`),
  ],
);

/** Signatures of chat interactions already acted on: a replayed request is refused, not decided twice. */
export const chatInteractionReceipts = pgTable(
  "chat_interaction_receipts",
  {
    signature: text("signature").notNull(),
    receivedAt: tz("received_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.signature] })],
);
