import { createHash } from "node:crypto";
import { bigserial, index, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { tz } from "./columns";

// Append-only and hash-chained: each row's hash covers its own content and the
// previous row's hash, so editing or deleting any row breaks every later link.
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
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
  },
  (t) => [index("audit_log_entity_idx").on(t.entityType, t.entityId), index("audit_log_actor_idx").on(t.actorId)],
);

export const GENESIS_HASH = "0".repeat(64);

export type AuditContent = {
  occurredAt: Date;
  actorId: string | null;
  actorLabel: string;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
};

// jsonb does not keep key order, so hash a canonical form with sorted keys.
function canonical(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function hashAuditRow(prevHash: string, row: AuditContent): string {
  return createHash("sha256")
    .update(prevHash)
    .update("\n")
    .update(
      canonical({
        occurredAt: row.occurredAt.toISOString(),
        actorId: row.actorId,
        actorLabel: row.actorLabel,
        action: row.action,
        entityType: row.entityType,
        entityId: row.entityId,
        before: row.before ?? null,
        after: row.after ?? null,
      }),
    )
    .digest("hex");
}
