import { createHash, createHmac } from "node:crypto";
import { desc, sql } from "drizzle-orm";
import { currentAuditKey, type AuditKey } from "./audit-key";
import type { Tx } from "./client";
import { auditLog } from "./schema";
import { canonicalJson } from "./json";

/** The previous hash of the first row ever written. */
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

export type ChainedAuditRow = AuditContent & { seq: number; prevHash: string; hash: string; keyId: string };

// jsonb stores exactly what JSON.stringify produces: hash that, not the live object
// (Dates become ISO strings, undefined keys disappear).
export const asStoredJson = (value: unknown): unknown => (value === undefined ? null : JSON.parse(JSON.stringify(value)));

const contentOf = (row: AuditContent) =>
  canonicalJson({
    occurredAt: row.occurredAt.toISOString(),
    actorId: row.actorId,
    actorLabel: row.actorLabel,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    before: row.before ?? null,
    after: row.after ?? null,
  });

/**
 * The hash of rows written before the chain was keyed: plain SHA-256, which
 * anyone with the database can recompute. Only verification uses it, and only
 * for the rows before the first keyed row (which anchors them).
 */
export function legacyAuditHash(prevHash: string, row: AuditContent): string {
  return createHash("sha256").update(prevHash).update("\n").update(contentOf(row)).digest("hex");
}

/** A row's signature: HMAC over the key id, its position, the previous row's hash and its content. */
export function keyedAuditHash(key: AuditKey, seq: number, prevHash: string, row: AuditContent): string {
  return createHmac("sha256", key.rows).update(`gov.audit.row.v2\n${key.id}\n${seq}\n${prevHash}\n`).update(contentOf(row)).digest("hex");
}

/**
 * Takes the audit chain's lock for the rest of the transaction and returns a
 * function that links each new row after the current head, signed with the
 * current audit key (which must be configured: nothing is written unsigned).
 * The lock keeps the chain one line when several transactions (or app
 * instances) write at once; rows must be inserted in the order they were linked.
 */
export async function lockAuditChain(tx: Tx, key: AuditKey = currentAuditKey()): Promise<(content: AuditContent) => ChainedAuditRow> {
  await tx.execute(sql`select pg_advisory_xact_lock(7244002)`);
  const [last] = await tx.select({ seq: auditLog.seq, hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  let prevHash = last?.hash ?? GENESIS_HASH;
  let seq = last?.seq ?? 0;
  return (content) => {
    seq += 1;
    const hash = keyedAuditHash(key, seq, prevHash, content);
    const row = { ...content, seq, prevHash, hash, keyId: key.id };
    prevHash = hash;
    return row;
  };
}
