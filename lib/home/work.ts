import { and, count, eq, isNull, ne, or, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { identities } from "@/db/schema";
import { hasRole, type Caller } from "@/lib/caller";
import { listMyAttestations } from "@/lib/attestation/list";
import { myOpenReviewsByCampaign } from "@/lib/certification/queue";
import { myEligibility } from "@/lib/jit/eligibility";
import { listRequests } from "@/lib/jit/list";

const owner = sql`(select o.status from ${identities} o where o.id = ${identities.ownerId})`;

/** NHIs the caller backs up whose owner is gone (none, or no longer active): theirs to answer for now. */
async function orphansIBackUp(db: Tx, caller: Caller): Promise<number> {
  const [{ n }] = await db
    .select({ n: count() })
    .from(identities)
    .where(
      and(
        eq(identities.backupOwnerId, caller.identityId),
        ne(identities.kind, "human"),
        ne(identities.status, "decommissioned"),
        or(isNull(identities.ownerId), sql`${owner} <> 'active'`),
      ),
    );
  return n;
}

/**
 * "What do I need to do now?": the caller's own work, by the roles they hold
 * or the work that reached them anyway. Each part is the same query its own
 * page runs (the review queue, the approval queue, the attestation list, the
 * requester's requests), so the home page and those pages never disagree.
 */
export async function myWork(db: Tx, caller: Caller) {
  const reviewer = hasRole(caller, "reviewer", "admin");
  const approver = hasRole(caller, "approver", "admin");
  const [reviews, approvals, attestations, orphans, mine, eligibility] = await Promise.all([
    myOpenReviewsByCampaign(db, caller),
    listRequests(db, caller, { scope: "approvals", pageSize: 5 }),
    listMyAttestations(db, caller, { due: "due", pageSize: 5 }),
    orphansIBackUp(db, caller),
    listRequests(db, caller, { scope: "mine", status: "open", pageSize: 10 }),
    myEligibility(db, caller),
  ]);
  return {
    reviews: { show: reviewer || reviews.length > 0, campaigns: reviews, open: reviews.reduce((s, c) => s + c.open, 0) },
    approvals: { show: approver || approvals.total > 0, rows: approvals.rows, total: approvals.total },
    attestations: {
      show: hasRole(caller, "owner") || attestations.counts.due > 0 || orphans > 0,
      rows: attestations.rows,
      due: attestations.counts.due,
      overdue: attestations.counts.overdue,
      orphans,
    },
    access: {
      show: hasRole(caller, "requester") || mine.total > 0,
      active: mine.rows.filter((r) => r.status === "active" || r.status === "approved"),
      pending: mine.rows.filter((r) => r.status === "pending"),
      mayRequest: eligibility.eligibility.length,
    },
  };
}

export type MyWork = Awaited<ReturnType<typeof myWork>>;
