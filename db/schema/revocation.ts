import { sql } from "drizzle-orm";
import { bigserial, index, jsonb, pgEnum, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { id, timestamps, tz } from "./columns";
import { entitlements, grants } from "./access";
import { identities } from "./identity";

// Every revocation, whatever asked for it, goes through one path that ends the
// grant, records evidence and emits one event for downstream enforcement.
export const revocationSources = ["campaign", "attestation", "jit", "lifecycle", "admin"] as const;
export type RevocationSource = (typeof revocationSources)[number];
export const revocationSource = pgEnum("revocation_source", revocationSources);
export const remediationStatus = pgEnum("remediation_status", ["pending", "confirmed", "failed"]);

/** Tracks a revocation until the target system confirms it is gone. */
export const remediations = pgTable(
  "remediations",
  {
    id: id(),
    grantId: uuid("grant_id")
      .notNull()
      .references(() => grants.id),
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id),
    entitlementId: uuid("entitlement_id")
      .notNull()
      .references(() => entitlements.id),
    source: revocationSource("source").notNull(),
    // The decision, attestation or request that asked for it.
    sourceRef: text("source_ref"),
    status: remediationStatus("status").notNull().default("pending"),
    confirmedAt: tz("confirmed_at"),
    detail: text("detail"),
    ...timestamps,
  },
  (t) => [index("remediations_grant_idx").on(t.grantId), index("remediations_status_idx").on(t.status)],
);

/** Outbox of access changes for connectors and webhooks, in commit order. */
export const accessEvents = pgTable(
  "access_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    type: text("type").notNull(),
    grantId: uuid("grant_id").references(() => grants.id),
    payload: jsonb("payload").notNull(),
    createdAt: tz("created_at").notNull().defaultNow(),
    deliveredAt: tz("delivered_at"),
  },
  (t) => [
    index("access_events_undelivered_idx")
      .on(t.id)
      .where(sql`${t.deliveredAt} is null`),
  ],
);
