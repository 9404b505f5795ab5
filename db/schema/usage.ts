import { sql } from "drizzle-orm";
import { date, index, integer, pgEnum, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { tz } from "./columns";
import { entitlements } from "./access";
import { identities, systems } from "./identity";

export const usageOutcome = pgEnum("usage_outcome", ["success", "denied"]);

// Raw evidence, partitioned by month of occurred_at (db/migrations/0024, kept
// by lib/usage/retention.ts): retention drops whole months while the roll-ups
// below, updated in the same statement as the insert, keep the summary. Pages
// and reports read the roll-ups, never a scan of this table.
//
// The key is the source's event id with its time: a partitioned table's unique
// keys must hold the partition column, and a source's event is one moment, so
// re-importing the same records changes nothing. No foreign keys here: every
// event's identity is checked by usage_action_daily's and its entitlement by
// usage_daily's in the same statement, once per roll-up row instead of three
// lookups per event; identities, entitlements and systems are never deleted.
export const usageEvents = pgTable(
  "usage_events",
  {
    // Idempotency key from the source (CloudTrail eventID, session event id).
    eventId: text("event_id").notNull(),
    source: text("source").notNull(),
    identityId: uuid("identity_id").notNull(),
    entitlementId: uuid("entitlement_id"),
    systemId: uuid("system_id"),
    action: text("action").notNull(),
    outcome: usageOutcome("outcome").notNull(),
    sessionId: text("session_id"),
    occurredAt: tz("occurred_at").notNull(),
    receivedAt: tz("received_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.source, t.eventId, t.occurredAt] }), index("usage_events_identity_time_idx").on(t.identityId, t.occurredAt)],
);

/** An event's key (source, id, time) as one text, for lists that key their rows. */
export const usageEventKey = sql<string>`${usageEvents.source} || ' ' || ${usageEvents.eventId} || ' ' || ${usageEvents.occurredAt}`;

/** Per (identity, entitlement): the whole history of use in one row. */
export const usageRollups = pgTable(
  "usage_rollups",
  {
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id),
    entitlementId: uuid("entitlement_id")
      .notNull()
      .references(() => entitlements.id),
    firstUsedAt: tz("first_used_at"),
    lastUsedAt: tz("last_used_at"),
    successCount: integer("success_count").notNull().default(0),
    deniedCount: integer("denied_count").notNull().default(0),
    lastDeniedAt: tz("last_denied_at"),
  },
  (t) => [primaryKey({ columns: [t.identityId, t.entitlementId] }), index("usage_rollups_entitlement_idx").on(t.entitlementId)],
);

/** Per (identity, entitlement, day): answers "used in the last N days" by range. */
export const usageDaily = pgTable(
  "usage_daily",
  {
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id),
    entitlementId: uuid("entitlement_id")
      .notNull()
      .references(() => entitlements.id),
    day: date("day", { mode: "string" }).notNull(),
    successCount: integer("success_count").notNull().default(0),
    deniedCount: integer("denied_count").notNull().default(0),
    // Bit h set: used successfully in UTC hour h of the day. Exposure hours
    // (privileged hours granted versus hours used) are counted from it.
    hourMask: integer("hour_mask").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.identityId, t.entitlementId, t.day] })],
);

/**
 * Per (identity, action, day): action-level reconciliation (which granted
 * cloud actions were used, which used ones were never granted) over any
 * window, without reading raw events.
 */
export const usageActionDaily = pgTable(
  "usage_action_daily",
  {
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id),
    action: text("action").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    successCount: integer("success_count").notNull().default(0),
    deniedCount: integer("denied_count").notNull().default(0),
    firstAt: tz("first_at").notNull(),
    lastAt: tz("last_at").notNull(),
    lastSuccessAt: tz("last_success_at"),
  },
  (t) => [primaryKey({ columns: [t.identityId, t.action, t.day] })],
);

/**
 * Days on which a log source delivered data events (object reads, function
 * invocations) for a service of a system. A trail that never logs them cannot
 * prove such actions unused: reconciliation calls them unobservable.
 */
export const dataEventDays = pgTable(
  "data_event_days",
  {
    systemId: uuid("system_id")
      .notNull()
      .references(() => systems.id),
    service: text("service").notNull(),
    day: date("day", { mode: "string" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.systemId, t.service, t.day] })],
);
