import { and, eq, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { identities, remediations, reviewItems } from "@/db/schema";
import type { Caller } from "@/lib/auth/caller";
import { getCampaign } from "./campaigns";

/** Progress overall and per reviewer, the decision mix, and whether revocations were carried out. */
export async function campaignProgress(db: Tx, caller: Caller, id: string) {
  const campaign = await getCampaign(db, caller, id);
  const perReviewer = await db
    .select({
      reviewerId: reviewItems.reviewerId,
      reviewerName: identities.displayName,
      total: sql<number>`count(*)`.mapWith(Number),
      decided: sql<number>`count(${reviewItems.decision})`.mapWith(Number),
      certified: sql<number>`count(*) filter (where ${reviewItems.decision} = 'certify')`.mapWith(Number),
      revoked: sql<number>`count(*) filter (where ${reviewItems.decision} = 'revoke')`.mapWith(Number),
    })
    .from(reviewItems)
    .innerJoin(identities, eq(identities.id, reviewItems.reviewerId))
    .where(eq(reviewItems.campaignId, id))
    .groupBy(reviewItems.reviewerId, identities.displayName)
    .orderBy(sql`count(*) - count(${reviewItems.decision}) desc`);
  const [remediation] = await db
    .select({
      pending: sql<number>`count(*) filter (where ${remediations.status} = 'pending')`.mapWith(Number),
      confirmed: sql<number>`count(*) filter (where ${remediations.status} = 'confirmed')`.mapWith(Number),
    })
    .from(remediations)
    .innerJoin(reviewItems, and(eq(remediations.sourceRef, sql`${reviewItems.id}::text`), eq(remediations.source, "campaign")))
    .where(eq(reviewItems.campaignId, id));
  const sum = (k: "total" | "decided" | "certified" | "revoked") => perReviewer.reduce((n, r) => n + r[k], 0);
  const overdue = campaign.status === "active" && campaign.dueAt && campaign.dueAt < new Date();
  return {
    campaign,
    totals: { total: sum("total"), decided: sum("decided"), certified: sum("certified"), revoked: sum("revoked") },
    perReviewer: perReviewer.map((r) => ({ ...r, overdue: !!overdue && r.decided < r.total })),
    remediation: remediation ?? { pending: 0, confirmed: 0 },
  };
}
