import { sql } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { queryRows } from "@/db/rows";
import { mergeFindingRows } from "@/lib/findings/raise";
import { DEFAULT_WINDOW_DAYS } from "./actions";
import { detectContext } from "./detectors/context";
import { reconciliationDetectors } from "./detectors";
import { computeIdentityRisk } from "./risk";
import { writeSnapshots } from "./snapshot";
import { auditedTransaction } from "@/lib/audit/record";

export const RECONCILIATION_SOURCE = "reconciliation";

export type RunSummary = { detected: number; opened: number; updated: number; resolved: number; identities: number; snapshots: number; elapsedMs: number };

/**
 * Applies this run's detections to the findings table, merged as every
 * detector's are (lib/findings/raise.ts), and resolves the open ones the run
 * no longer sees.
 */
async function mergeFindings(tx: Tx, now: Date) {
  const at = now.toISOString();
  const changes = await mergeFindingRows(
    tx,
    sql`select key, kind, severity, identity_id, entitlement_id, grant_id, system_id, ${RECONCILIATION_SOURCE}::text as source, title, details from detected`,
    now,
  );
  const [resolved] = await queryRows<{ n: number }>(
    tx,
    sql`with done as (
      update findings f set status = 'resolved', resolved_at = ${at}::timestamptz, resolution = 'No longer observed by reconciliation', updated_at = ${at}::timestamptz
      where f.source = ${RECONCILIATION_SOURCE} and f.status = 'open' and not exists (select 1 from detected d where d.key = f.key)
      returning 1)
    select count(*)::int as n from done`,
  );
  return { ...changes, resolved: resolved.n };
}

/**
 * One reconciliation pass: classify every (identity, entitlement) pair and
 * cloud action use into findings, score each identity (creep, exposure), and
 * write today's snapshot (and any of the last 90 days missing). One pass at a
 * time across instances; findings are merged in one transaction, so readers
 * never see a half-run.
 */
export async function runReconciliation(db: Db, opts: { now?: Date; windowDays?: number } = {}): Promise<RunSummary> {
  const started = performance.now();
  const now = opts.now ?? new Date();
  const windowDays = opts.windowDays ?? DEFAULT_WINDOW_DAYS;
  const found = await auditedTransaction(db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7244020)`);
    await tx.execute(sql`create temp table detected (
      key text primary key, kind finding_kind not null, severity finding_severity not null, identity_id uuid not null,
      entitlement_id uuid, grant_id uuid, system_id uuid, title text not null, details jsonb not null) on commit drop`);
    const ctx = detectContext(tx, { now, windowDays });
    for (const detect of Object.values(reconciliationDetectors)) await detect(ctx);
    const [{ n }] = await queryRows<{ n: number }>(tx, sql`select count(*)::int as n from detected`);
    return { detected: n, ...(await mergeFindings(tx, now)) };
  });
  // The findings' tallies recounted from the findings, one row per group (every change since appended a delta,
  // and a subject's change of kind racing a write may have left one under the old kind), in a short
  // transaction of its own: nothing waits on it.
  await db.execute(sql`select recount_finding_tallies()`);
  const identities = await auditedTransaction(db, (tx) => computeIdentityRisk(tx, { now, windowDays }));
  const snapshots = await writeSnapshots(db, now);
  return { ...found, identities, snapshots, elapsedMs: performance.now() - started };
}
