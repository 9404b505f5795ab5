import { sql } from "drizzle-orm";
import { index, pgTable, text, uuid } from "drizzle-orm/pg-core";
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
    // e.g. "review.reminder", "jit.pending", "jit.break_glass"; drives the icon and filters.
    kind: text("kind").notNull(),
    title: text("title").notNull(),
    body: text("body"),
    // Where the notice leads in the app (a campaign, a request).
    link: text("link"),
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
