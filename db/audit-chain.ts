import { desc, sql } from "drizzle-orm";
import type { Tx } from "./client";
import { auditLog, GENESIS_HASH, hashAuditRow, type AuditContent } from "./schema";

export type ChainedAuditRow = AuditContent & { prevHash: string; hash: string };

// jsonb stores exactly what JSON.stringify produces: hash that, not the live object
// (Dates become ISO strings, undefined keys disappear).
export const asStoredJson = (value: unknown) => (value === undefined ? null : JSON.parse(JSON.stringify(value)));

/**
 * Takes the audit chain's lock for the rest of the transaction and returns a
 * function that links each new row after the current head. The lock keeps the
 * chain one line when several transactions (or app instances) write at once;
 * rows must be inserted in the order they were linked.
 */
export async function lockAuditChain(tx: Tx): Promise<(content: AuditContent) => ChainedAuditRow> {
  await tx.execute(sql`select pg_advisory_xact_lock(7244002)`);
  const [last] = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  let prevHash = last?.hash ?? GENESIS_HASH;
  return (content) => {
    const hash = hashAuditRow(prevHash, content);
    const row = { ...content, prevHash, hash };
    prevHash = hash;
    return row;
  };
}
