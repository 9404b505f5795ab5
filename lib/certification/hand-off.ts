import { and, eq, isNull, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { campaigns, reviewItems } from "@/db/schema";
import { recordAudit, type Actor } from "@/lib/audit/record";

/**
 * Moves a person's undecided review items in active campaigns to each
 * campaign's fallback reviewer (or its owner when they are the fallback), in
 * one statement, audited: when they leave, or when their roles become
 * read-only and they may no longer decide.
 */
export async function handOffOpenReviews(tx: Tx, actor: Actor, personId: string, why: string) {
  const now = new Date();
  const items = await tx
    .update(reviewItems)
    .set({
      reviewerId: sql`case when ${campaigns.fallbackReviewerId} <> ${personId} then ${campaigns.fallbackReviewerId} else ${campaigns.ownerId} end`,
      routing: `reassigned: ${why}`,
      updatedAt: now,
    })
    .from(campaigns)
    .where(
      and(
        eq(campaigns.id, reviewItems.campaignId),
        eq(campaigns.status, "active"),
        eq(reviewItems.reviewerId, personId),
        isNull(reviewItems.decision),
        isNull(reviewItems.closedAt),
      ),
    )
    .returning({ id: reviewItems.id });
  await recordAudit(
    tx,
    actor,
    items.map((i) => ({ action: "review.reassigned", entityType: "review_item", entityId: i.id, before: { reviewerId: personId }, after: { reason: why } })),
  );
  return items;
}
