import { asStoredJson, lockAuditChain } from "@/db/audit-chain";
import type { Tx } from "@/db/client";
import { auditLog } from "@/db/schema";

export type Actor = { id: string | null; label: string };

/** Changes made by the product itself (scheduled escalation, expiry), not by a person. */
export const SYSTEM_ACTOR: Actor = { id: null, label: "system" };

export type AuditEntry = {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
};

/**
 * Appends audit rows inside the caller's transaction, so the record commits or
 * rolls back with the change it describes.
 */
export async function recordAudit(tx: Tx, actor: Actor, entries: AuditEntry | AuditEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  const link = await lockAuditChain(tx);
  const occurredAt = new Date();
  const rows = list.map((entry) =>
    link({
      occurredAt,
      actorId: actor.id,
      actorLabel: actor.label,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      before: asStoredJson(entry.before),
      after: asStoredJson(entry.after),
    }),
  );
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
