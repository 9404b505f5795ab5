import { z } from "zod";
import type { Tx } from "@/db/client";
import { campaigns } from "@/db/schema";
import { activePeopleAmong } from "@/lib/identities/people";
import { recordAudit, type Actor } from "@/lib/audit/record";
import { ValidationError, parseInput } from "@/lib/errors";
import { launchInTransaction } from "./launch";
import { campaignScope } from "./schemas";
import { integer, text } from "@/lib/validation/fields";

const ids = (what: string) =>
  z
    .array(z.uuid(`Each ${what} must be an id.`))
    .max(10_000)
    .default([]);

export const targetedReviewInput = z
  .object({
    name: text().trim().min(3).max(120),
    description: text().trim().max(2000).optional(),
    identityIds: ids("identity"),
    grantIds: ids("grant"),
    reviewerId: z.uuid("Choose who reviews."),
    fallbackReviewerId: z.uuid("Choose a fallback reviewer."),
    ownerId: z.uuid("Choose who owns the review."),
    dueInDays: integer("Due in", 1, 90, { type: "Due in must be a whole number of days." }).default(14),
  })
  .refine((t) => t.identityIds.length + t.grantIds.length > 0, { message: "Name the identities or grants to review.", path: ["grantIds"] });

/**
 * A small campaign launched at once over named identities or grants: a
 * mover's access for their manager, or the grants behind selected findings.
 * Routing and separation of duties are the campaign's own (the reviewer never
 * reviews their own access). Callers decide who may ask for one.
 */
export async function createTargetedReview(tx: Tx, actor: Actor, raw: unknown) {
  const input = parseInput(targetedReviewInput, raw);
  const people = [...new Set([input.reviewerId, input.fallbackReviewerId, input.ownerId])];
  if ((await activePeopleAmong(tx, people)).size !== people.length)
    throw new ValidationError({ reviewerId: ["Reviewers and the owner must be active people."] });
  const now = new Date();
  const scope = campaignScope.parse({ identityIds: input.identityIds, grantIds: input.grantIds });
  const [campaign] = await tx
    .insert(campaigns)
    .values({
      name: input.name,
      description: input.description,
      scope,
      reviewerStrategy: "named",
      reviewerIds: [input.reviewerId],
      fallbackReviewerId: input.fallbackReviewerId,
      ownerId: input.ownerId,
      startsAt: now,
      dueAt: new Date(now.getTime() + input.dueInDays * 86_400_000),
    })
    .returning();
  await recordAudit(tx, actor, { action: "campaign.created", entityType: "campaign", entityId: campaign.id, after: { ...input, targeted: true } });
  const { items } = await launchInTransaction(tx, actor, campaign.id);
  return { campaignId: campaign.id, items };
}
