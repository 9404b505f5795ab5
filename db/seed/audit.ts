import { asStoredJson, lockAuditChain, type ChainedAuditRow } from "../audit-chain";
import type { Tx } from "../client";
import { auditLog } from "../schema";
import { insertAll } from "./insert";

export type SeedAuditEntry = { action: string; entityType: string; entityId: string; before?: unknown; after?: unknown };

const BATCH = 5000;

/**
 * Appends entries to the hash-chained audit log inside the seed's transaction,
 * through the same chain lock as every other audit writer. Entries are produced
 * lazily to keep memory flat.
 */
export async function appendSeedAudit(tx: Tx, entries: Iterable<SeedAuditEntry>): Promise<number> {
  const link = await lockAuditChain(tx);
  const occurredAt = new Date();
  let batch: ChainedAuditRow[] = [];
  let written = 0;
  for (const entry of entries) {
    batch.push(
      link({
        occurredAt,
        actorId: null,
        actorLabel: "seed",
        action: entry.action,
        entityType: entry.entityType,
        entityId: entry.entityId,
        before: asStoredJson(entry.before),
        after: asStoredJson(entry.after),
      }),
    );
    if (batch.length >= BATCH) {
      written += await insertAll(tx, auditLog, batch);
      batch = [];
    }
  }
  if (batch.length > 0) written += await insertAll(tx, auditLog, batch);
  return written;
}
