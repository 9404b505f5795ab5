import { desc, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { auditLog, GENESIS_HASH, hashAuditRow, type AuditContent } from "@/db/schema";

export type Actor = { id: string | null; label: string };

export const SYSTEM_ACTOR: Actor = { id: null, label: "system" };

export type AuditEntry = {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
};

// Values go through JSON once so the hash is computed over exactly what jsonb
// stores (Dates become ISO strings, undefined keys disappear).
const asStored = (value: unknown) => (value === undefined ? null : JSON.parse(JSON.stringify(value)));

/**
 * Appends audit rows inside the caller's transaction, so the record commits or
 * rolls back with the change it describes. The advisory lock keeps the chain a
 * single line when several transactions write at once; it is released at commit.
 */
export async function recordAudit(tx: Tx, actor: Actor, entries: AuditEntry | AuditEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  await tx.execute(sql`select pg_advisory_xact_lock(7244002)`);
  const [last] = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  let prevHash = last?.hash ?? GENESIS_HASH;
  const occurredAt = new Date();
  const rows = list.map((entry) => {
    const content: AuditContent = {
      occurredAt,
      actorId: actor.id,
      actorLabel: actor.label,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      before: asStored(entry.before),
      after: asStored(entry.after),
    };
    const hash = hashAuditRow(prevHash, content);
    const row = { ...content, prevHash, hash };
    prevHash = hash;
    return row;
  });
  for (let i = 0; i < rows.length; i += 1000) {
    await tx.insert(auditLog).values(rows.slice(i, i + 1000));
  }
}

/** Only the fields that changed, as before/after pairs for the audit row. */
export function diff<T extends Record<string, unknown>>(before: T, after: Partial<T>) {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    const was = before[key];
    const now = after[key];
    const same = was instanceof Date && now instanceof Date ? was.getTime() === now.getTime() : was === now;
    if (!same) {
      b[key] = was ?? null;
      a[key] = now ?? null;
    }
  }
  return { before: b, after: a, changed: Object.keys(a).length > 0 };
}
