import { isDeepStrictEqual } from "node:util";
import { asStoredJson, lockAuditChain } from "@/db/audit-chain";
import type { Db, Tx } from "@/db/client";
import { auditLog } from "@/db/schema";
import type { AuditAction } from "./actions";

export type Actor = { id: string | null; label: string };

/** Changes made by the product itself (scheduled escalation, expiry), not by a person. */
export const SYSTEM_ACTOR: Actor = { id: null, label: "system" };

export type AuditEntry = {
  action: AuditAction;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
};

type Pending = { actor: Actor; entry: AuditEntry };

// Transactions run through auditedTransaction: their audit rows wait here until just before commit.
const deferred = new WeakMap<object, Pending[]>();

/**
 * Appends audit rows inside the caller's transaction, so the record commits or
 * rolls back with the change it describes. Inside auditedTransaction the rows
 * are appended at the end of the transaction, in the order they were recorded.
 */
export async function recordAudit(tx: Tx, actor: Actor, entries: AuditEntry | AuditEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  const queue = deferred.get(tx);
  // Snapshot the content now: the caller may change its objects before the rows are written.
  const pending = list.map((entry) => ({ actor, entry: { ...entry, before: asStoredJson(entry.before), after: asStoredJson(entry.after) } }));
  if (queue) queue.push(...pending);
  else await appendToChain(tx, pending);
}

async function appendToChain(tx: Tx, pending: Pending[]) {
  const link = await lockAuditChain(tx);
  const occurredAt = new Date();
  const rows = pending.map(({ actor, entry }) =>
    link({
      occurredAt,
      actorId: actor.id,
      actorLabel: actor.label,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      before: entry.before,
      after: entry.after,
    }),
  );
  for (let i = 0; i < rows.length; i += 1000) {
    await tx.insert(auditLog).values(rows.slice(i, i + 1000));
  }
}

/**
 * A transaction whose audit rows are appended to the chain together, just
 * before it commits. The chain's lock serialises every audited transaction;
 * taken last, it is held for one insert and the commit instead of for the
 * rest of the transaction's statements.
 */
export function auditedTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const queue: Pending[] = [];
    deferred.set(tx, queue);
    try {
      const result = await fn(tx);
      if (queue.length) await appendToChain(tx, queue.splice(0));
      return result;
    } finally {
      deferred.delete(tx);
    }
  });
}

const asValue = (v: unknown): unknown => (v === undefined ? null : JSON.parse(JSON.stringify(v)));

/** Only the fields that changed, as before/after pairs for the audit row. */
export function diff<T extends Record<string, unknown>>(before: T, after: Partial<T>) {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    const was = before[key];
    const now = after[key];
    // Compared as values: a list or a JSON document read back (keys reordered, dates as strings) is the same if it says the same.
    const same = isDeepStrictEqual(asValue(was), asValue(now));
    if (!same) {
      b[key] = was ?? null;
      a[key] = now ?? null;
    }
  }
  return { before: b, after: a, changed: Object.keys(a).length > 0 };
}
