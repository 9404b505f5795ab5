import { bigserial, date, index, integer, pgEnum, pgTable, primaryKey, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { tz } from "./columns";
import { entitlements } from "./access";
import { identities, systems } from "./identity";

export const usageOutcome = pgEnum("usage_outcome", ["success", "denied"]);

// Raw evidence. Pages and reports never scan it: they read the rollups below,
// which are updated in the same transaction as the insert.
export const usageEvents = pgTable(
  "usage_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    // Idempotency key from the source (CloudTrail eventID, session event id).
    eventId: text("event_id").notNull(),
    source: text("source").notNull(),
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id),
    entitlementId: uuid("entitlement_id").references(() => entitlements.id),
    systemId: uuid("system_id").references(() => systems.id),
    action: text("action").notNull(),
    outcome: usageOutcome("outcome").notNull(),
    sessionId: text("session_id"),
    occurredAt: tz("occurred_at").notNull(),
    receivedAt: tz("received_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("usage_events_source_event_key").on(t.source, t.eventId), index("usage_events_identity_time_idx").on(t.identityId, t.occurredAt)],
);

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
