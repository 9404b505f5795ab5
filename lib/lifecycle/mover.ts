import { and, eq, isNull, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { grants, identities } from "@/db/schema";
import type { Actor } from "@/lib/audit/record";
import { createTargetedReview } from "@/lib/certification/targeted";
import { peopleWithRole } from "@/lib/jit/eligibility";
import { activeManagerId } from "./manager";

export type MoverOutcome = { reviewCampaignId: string | null; items: number; reviewerId: string | null; reason?: string };

/**
 * A person who moved (new team or manager) keeps nothing silently: their live
 * access goes into a small targeted review for their (new) manager, due in
 * two weeks, with an admin as fallback. Routing keeps them off their own items.
 */
export async function processMover(tx: Tx, actor: Actor, personId: string, ref: string): Promise<MoverOutcome> {
  const [person] = await tx.select().from(identities).where(eq(identities.id, personId));
  const [{ n }] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(grants)
    .where(and(eq(grants.identityId, personId), isNull(grants.revokedAt), sql`${grants.type} <> 'jit'`));
  if (n === 0) return { reviewCampaignId: null, items: 0, reviewerId: null, reason: "no access to review" };
  const managerId = await activeManagerId(tx, person.managerId);
  const admins = (await peopleWithRole(tx, "admin")).filter((id) => id !== personId);
  const reviewerId = managerId && managerId !== personId ? managerId : admins[0];
  if (!reviewerId) return { reviewCampaignId: null, items: 0, reviewerId: null, reason: "nobody to review it" };
  const fallback = admins.find((a) => a !== reviewerId) ?? reviewerId;
  const review = await createTargetedReview(tx, actor, {
    name: `Access after move: ${person.displayName}`,
    description: `${person.displayName} changed team or manager (${ref}). Confirm each access is still needed in the new role.`,
    identityIds: [personId],
    reviewerId,
    fallbackReviewerId: fallback,
    ownerId: reviewerId,
    dueInDays: 14,
  });
  return { reviewCampaignId: review.campaignId, items: review.items, reviewerId };
}
