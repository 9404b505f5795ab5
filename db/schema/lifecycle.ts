import { index, jsonb, pgEnum, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { id, tz } from "./columns";
import { identities } from "./identity";

export const lifecycleEventType = pgEnum("lifecycle_event_type", ["joiner", "mover", "leaver", "decommission"]);

/** Joiner, mover, leaver and decommission signals, and when they were acted on. */
export const lifecycleEvents = pgTable(
  "lifecycle_events",
  {
    id: id(),
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id),
    type: lifecycleEventType("type").notNull(),
    source: text("source").notNull(),
    details: jsonb("details").notNull().default({}),
    occurredAt: tz("occurred_at").notNull(),
    processedAt: tz("processed_at"),
    // What processing it caused (grants ended, NHIs re-homed, reviews opened), for the timeline.
    outcome: jsonb("outcome"),
    createdAt: tz("created_at").notNull().defaultNow(),
  },
  (t) => [index("lifecycle_events_identity_idx").on(t.identityId, t.occurredAt)],
);
