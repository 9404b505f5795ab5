import { and, eq, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { queryRows } from "@/db/rows";
import { identities, remediations, reviewItems } from "@/db/schema";
import type { Caller } from "@/lib/caller";
import { getCampaign } from "./campaigns";

// A reviewer who certifies at least this many items, nearly all of them, with
// a median of under this many seconds between decisions is probably not
// reading the evidence. Bulk decisions count as zero seconds apart.
export const RUBBER_STAMP = { minDecisions: 10, certifyShare: 0.9, medianSeconds: 10 };

/** An item is final when no second-stage item confirms it; each grant has exactly one. */
const isFinal = sql`not exists (select 1 from ${reviewItems} nxt where nxt.previous_item_id = ${reviewItems.id})`;

type ReviewerPace = { reviewerId: string; decisions: number; certified: number; medianSeconds: number | null };

/**
 * Progress overall and per reviewer, the decision mix, whether revocations
 * were carried out, who is behind, and who may be rubber-stamping.
 */
export async function campaignProgress(db: Tx, caller: Caller, id: string) {
  const campaign = await getCampaign(db, caller, id);
  const [perReviewer, [totals], [remediation], pace] = await Promise.all([
    db
      .select({
        reviewerId: reviewItems.reviewerId,
        reviewerName: identities.displayName,
        total: sql<number>`count(*)`.mapWith(Number),
        decided: sql<number>`count(${reviewItems.decision}) filter (where ${reviewItems.autoDecided} is null)`.mapWith(Number),
        open: sql<number>`count(*) filter (where ${reviewItems.decision} is null and ${reviewItems.closedAt} is null)`.mapWith(Number),
        missed: sql<number>`count(*) filter (where ${reviewItems.closedAt} is not null or ${reviewItems.autoDecided} is not null)`.mapWith(Number),
        certified: sql<number>`count(*) filter (where ${reviewItems.decision} = 'certify' and ${reviewItems.autoDecided} is null)`.mapWith(Number),
        revoked: sql<number>`count(*) filter (where ${reviewItems.decision} = 'revoke' and ${reviewItems.autoDecided} is null)`.mapWith(Number),
        secondStage: sql<number>`count(*) filter (where ${reviewItems.stage} = 2)`.mapWith(Number),
      })
      .from(reviewItems)
      .innerJoin(identities, eq(identities.id, reviewItems.reviewerId))
      .where(eq(reviewItems.campaignId, id))
      .groupBy(reviewItems.reviewerId, identities.displayName)
      .orderBy(sql`count(*) filter (where ${reviewItems.decision} is null and ${reviewItems.closedAt} is null) desc`, identities.displayName),
    db
      .select({
        total: sql<number>`count(*) filter (where ${reviewItems.stage} = 1)`.mapWith(Number),
        decided: sql<number>`count(*) filter (where ${reviewItems.decision} is not null and ${isFinal})`.mapWith(Number),
        certified: sql<number>`count(*) filter (where ${reviewItems.decision} = 'certify' and ${isFinal})`.mapWith(Number),
        revoked: sql<number>`count(*) filter (where ${reviewItems.decision} = 'revoke' and ${isFinal})`.mapWith(Number),
        awaitingSecondStage:
          sql<number>`count(*) filter (where ${reviewItems.stage} = 2 and ${reviewItems.decision} is null and ${reviewItems.closedAt} is null)`.mapWith(Number),
        settledByRule: sql<number>`count(*) filter (where ${reviewItems.autoDecided} is not null)`.mapWith(Number),
        keptUndecided: sql<number>`count(*) filter (where ${reviewItems.closedAt} is not null)`.mapWith(Number),
      })
      .from(reviewItems)
      .where(eq(reviewItems.campaignId, id)),
    db
      .select({
        pending: sql<number>`count(*) filter (where ${remediations.status} = 'pending')`.mapWith(Number),
        confirmed: sql<number>`count(*) filter (where ${remediations.status} = 'confirmed')`.mapWith(Number),
        failed: sql<number>`count(*) filter (where ${remediations.status} = 'failed')`.mapWith(Number),
      })
      .from(remediations)
      .innerJoin(reviewItems, and(eq(remediations.sourceRef, sql`${reviewItems.id}::text`), eq(remediations.source, "campaign")))
      .where(eq(reviewItems.campaignId, id)),
    queryRows<ReviewerPace>(
      db,
      sql`select reviewer_id as "reviewerId", count(*)::int as decisions,
            (count(*) filter (where decision = 'certify'))::int as certified,
            percentile_cont(0.5) within group (order by gap) as "medianSeconds"
          from (
            select decided_by_id as reviewer_id, decision,
              extract(epoch from decided_at - lag(decided_at) over (partition by decided_by_id order by decided_at)) as gap
            from ${reviewItems}
            where campaign_id = ${id} and decided_by_id is not null and decision in ('certify', 'revoke') and auto_decided is null
          ) d
          group by reviewer_id`,
    ),
  ]);
  const paceBy = new Map(pace.map((p) => [p.reviewerId, p]));
  const now = new Date();
  // Behind: inside the first reminder window (or past due) with items still open.
  const firstReminder = campaign.dueAt && new Date(campaign.dueAt.getTime() - Math.max(0, ...campaign.reminderDays) * 86_400_000);
  const reminding = campaign.status === "active" && !!firstReminder && firstReminder <= now;
  return {
    campaign,
    totals,
    remediation: remediation ?? { pending: 0, confirmed: 0, failed: 0 },
    perReviewer: perReviewer.map((r) => {
      const p = paceBy.get(r.reviewerId);
      const medianSeconds = p?.medianSeconds == null ? null : Number(p.medianSeconds);
      const rubberStamp =
        !!p &&
        p.certified >= RUBBER_STAMP.minDecisions &&
        p.certified / p.decisions >= RUBBER_STAMP.certifyShare &&
        medianSeconds !== null &&
        medianSeconds < RUBBER_STAMP.medianSeconds;
      return { ...r, behind: reminding && r.open > 0, medianSeconds, rubberStamp };
    }),
  };
}

export type CampaignReport = Awaited<ReturnType<typeof campaignProgress>>;
