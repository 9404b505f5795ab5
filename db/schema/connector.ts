import { bigint, index, integer, jsonb, pgEnum, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamps, tz } from "./columns";
import { systems } from "./identity";
import { accessEvents } from "./revocation";

export const connectorKinds = ["postgres", "webhook", "ssh", "ldap"] as const;
export type ConnectorKind = (typeof connectorKinds)[number];
export const connectorKind = pgEnum("connector_kind", connectorKinds);

/**
 * Where access decisions are enforced: a connector provisions and
 * deprovisions grants in a target (a PostgreSQL server's roles) or tells
 * another system through signed webhooks, and reads the target's actual state.
 */
export const connectors = pgTable("connectors", {
  id: id(),
  name: text("name").notNull().unique(),
  kind: connectorKind("kind").notNull(),
  // The system whose grants it enforces (null: a webhook hearing every system).
  systemId: uuid("system_id").references(() => systems.id),
  // postgres, ldap: { url } (or { urlEnv }: the name of an environment variable); webhook: { url, secret }; ssh: its CAs.
  config: jsonb("config").$type<Record<string, unknown>>().notNull(),
  // Event types it receives; empty: all.
  eventTypes: text("event_types").array().notNull().default([]),
  enabled: integer("enabled").notNull().default(1),
  maxAttempts: integer("max_attempts").notNull().default(6),
  lastCheckedAt: tz("last_checked_at"),
  lastError: text("last_error"),
  ...timestamps,
});

export const deliveryStatus = pgEnum("delivery_status", ["pending", "delivered", "failed", "dead"]);

/** One access event to one connector: attempted until delivered or, after its attempts, dead-lettered; redelivered on request. */
export const connectorDeliveries = pgTable(
  "connector_deliveries",
  {
    id: id(),
    connectorId: uuid("connector_id")
      .notNull()
      .references(() => connectors.id),
    accessEventId: bigint("access_event_id", { mode: "number" })
      .notNull()
      .references(() => accessEvents.id),
    status: deliveryStatus("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    // Bumped by a redelivery, so the job for the new round is a new job.
    round: integer("round").notNull().default(1),
    lastAttemptAt: tz("last_attempt_at"),
    lastError: text("last_error"),
    responseStatus: integer("response_status"),
    result: jsonb("result"),
    deliveredAt: tz("delivered_at"),
    ...timestamps,
  },
  (t) => [
    // Exactly one delivery per connector and event, whoever dispatches it.
    uniqueIndex("connector_deliveries_event_key").on(t.connectorId, t.accessEventId),
    index("connector_deliveries_status_idx").on(t.connectorId, t.status, t.createdAt),
  ],
);
