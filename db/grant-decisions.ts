import { sql } from "drizzle-orm";
import type { Tx } from "./client";

/**
 * For grants written in bulk with their decision on the row (the seed, the
 * benchmarks): records that decision as the first entry of each grant's
 * history, where the grant has none yet. The app itself records decisions
 * through lib/grants/decisions.ts.
 */
export async function recordLatestDecisions(tx: Tx) {
  await tx.execute(sql`
    insert into grant_decisions (grant_id, kind, ref, decided_by_id, decided_at, valid_until)
    select g.id, g.provenance, g.provenance_ref, g.approved_by_id, coalesce(g.approved_at, g.created_at), g.approval_expires_at
    from grants g
    where g.provenance <> 'none' and not exists (select 1 from grant_decisions d where d.grant_id = g.id)`);
}
