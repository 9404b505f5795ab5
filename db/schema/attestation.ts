import { sql } from "drizzle-orm";
import { boolean, index, integer, pgEnum, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamps, tz } from "./columns";
import { identities, identityKind } from "./identity";

export const attestationStatus = pgEnum("attestation_status", ["pending", "attested", "decommissioned", "escalated"]);

/** An owner's periodic statement about one NHI: still needed, for what, by whom. */
export const attestations = pgTable(
  "attestations",
  {
    id: id(),
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id),
    ownerId: uuid("owner_id").references(() => identities.id),
    status: attestationStatus("status").notNull().default("pending"),
    dueAt: tz("due_at").notNull(),
    attestedAt: tz("attested_at"),
    attestedById: uuid("attested_by_id").references(() => identities.id),
    stillNeeded: boolean("still_needed"),
    purpose: text("purpose"),
    comment: text("comment"),
    // 0 with the owner; 1 escalated to the owner's manager; 2 to the admins.
    escalationLevel: integer("escalation_level").notNull().default(0),
    escalatedToId: uuid("escalated_to_id").references(() => identities.id),
    ...timestamps,
  },
  (t) => [
    index("attestations_identity_idx").on(t.identityId),
    index("attestations_owner_idx").on(t.ownerId, t.status),
    index("attestations_escalated_to_idx").on(t.escalatedToId),
    // At most one open request per NHI, whatever races the code may lose.
    uniqueIndex("attestations_one_open_key")
      .on(t.identityId)
      .where(sql`${t.status} in ('pending', 'escalated')`),
  ],
);

/** Reminders already sent for one NHI's attestation due date, one per lead time, so each goes once however often the job runs. */
export const attestationReminders = pgTable(
  "attestation_reminders",
  {
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id),
    dueAt: tz("due_at").notNull(),
    // Days before the due date; 0 is the "now overdue" notice.
    daysBefore: integer("days_before").notNull(),
    sentAt: tz("sent_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("attestation_reminders_key").on(t.identityId, t.dueAt, t.daysBefore)],
);

/** How often a kind of NHI without a policy of its own is attested; the demo data is scheduled by it too. */
export const DEFAULT_ATTESTATION_INTERVAL_DAYS = 90;

/**
 * How often each kind of NHI is attested and when its owner is reminded, set
 * by admins; a kind without a row follows the product's default (every 90
 * days, reminded 14 and 3 days before and on the due day).
 */
export const attestationPolicies = pgTable("attestation_policies", {
  kind: identityKind("kind").primaryKey(),
  intervalDays: integer("interval_days").notNull(),
  // Days before the due date, each sent once per due date; 0 is the due day.
  reminderDays: integer("reminder_days").array().notNull(),
  ...timestamps,
});
