import { bigint, bigserial, index, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { tz } from "./columns";

// Append-only and hash-chained (db/audit-chain.ts): each row is signed with a
// key kept outside the database over its own content, its position and the
// previous row's hash, so editing, deleting or inserting any row breaks the
// chain. The database refuses UPDATE, DELETE and TRUNCATE (trigger audit_log_append_only);
// rows leave only through the audited retention purge (lib/audit/purge.ts).
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    // Position in the chain, 1 for its first row ever: counts survive a retention
    // purge, so verification says exactly how many rows are missing.
    seq: bigint("seq", { mode: "number" }).notNull(),
    occurredAt: tz("occurred_at").notNull(),
    actorId: uuid("actor_id"),
    // Kept as text so the row stays readable after the actor is gone.
    actorLabel: text("actor_label").notNull(),
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id").notNull(),
    before: jsonb("before"),
    after: jsonb("after"),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
    // The id of the audit key that signed the row; null for rows written before
    // the chain was keyed (plain SHA-256), accepted only before the first keyed row.
    keyId: text("key_id"),
  },
  (t) => [index("audit_log_entity_idx").on(t.entityType, t.entityId), index("audit_log_actor_idx").on(t.actorId)],
);
