import { eq, inArray, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { campaigns, entitlements, identityEscalations, reviewItems } from "@/db/schema";
import { type Actor, auditedTransaction, recordAudit } from "@/lib/audit/record";
import { actorOf, isDecider, requireDecider, type Caller } from "@/lib/caller";
import { ConflictError, NotFoundError, ValidationError, parseInput } from "@/lib/errors";
import { recordGrantDecisions } from "@/lib/grants/decisions";
import { revokeGrants } from "@/lib/revocation/revoke";
import { decisionInput } from "./schemas";

type FinalDecision = { itemId: string; grantId: string; revokeAt: "decision" | "close" };

/**
 * What a final decision does to the grant. Certifying adds the decision to the
 * grant's history (who, when, in which review, why); the grant stays what it
 * was, an eligibility stays requestable. Revoking goes through the one
 * revocation path now, or when the campaign closes; a bulk selection can span
 * campaigns, so each item follows its own campaign.
 */
export async function applyDecisions(
  tx: Tx,
  actor: Actor,
  items: FinalDecision[],
  d: { decision: "certify" | "revoke"; deciderId: string | null; comment: string; at: Date },
) {
  if (items.length === 0) return;
  if (d.decision === "certify") {
    await recordGrantDecisions(
      tx,
      items.map((i) => ({
        grantId: i.grantId,
        kind: "campaign_decision" as const,
        ref: i.itemId,
        decidedById: d.deciderId,
        decidedAt: d.at,
        reason: d.comment || null,
      })),
    );
    return;
  }
  const revokeNow = items.filter((i) => i.revokeAt === "decision");
  if (revokeNow.length > 0) {
    const sourceRefs = new Map(revokeNow.map((i) => [i.grantId, i.itemId]));
    await revokeGrants(tx, actor, [...sourceRefs.keys()], { source: "campaign", sourceRefs, reason: d.comment });
  }
}

type StageOneRow = { item: typeof reviewItems.$inferSelect; secondStageReviewerIds: string[]; fallbackReviewerId: string | null; campaignOwnerId: string };

/**
 * Hands first-stage decisions to a second-stage reviewer, who is never the
 * identity under review nor the person who made the first decision; when the
 * spread lands on one of them, the fallback (or the campaign owner) confirms.
 */
async function openSecondStage(
  tx: Tx,
  actor: Actor,
  rows: StageOneRow[],
  first: { deciderId: string; deciderLabel: string; decision: string; comment?: string },
) {
  const now = new Date();
  const reason = `First stage: ${first.deciderLabel} chose ${first.decision}${first.comment ? `: “${first.comment}”` : "."}`;
  // Reviewers chosen at creation may have left or become read-only since.
  const candidates = [...new Set(rows.flatMap((r) => [...r.secondStageReviewerIds, r.fallbackReviewerId ?? ""]).filter(Boolean))];
  const deciders = new Set<string>();
  for (const id of candidates) if (await isDecider(tx, id)) deciders.add(id);
  const values = rows.map(({ item, secondStageReviewerIds: pool, fallbackReviewerId, campaignOwnerId }) => {
    const excluded = (id: string | null) => !id || id === item.identityId || id === first.deciderId || !deciders.has(id);
    const spread = pool[parseInt(item.id.replaceAll("-", "").slice(0, 8), 16) % pool.length];
    const reviewerId = !excluded(spread) ? spread : !excluded(fallbackReviewerId) ? fallbackReviewerId! : campaignOwnerId;
    return {
      campaignId: item.campaignId,
      grantId: item.grantId,
      identityId: item.identityId,
      entitlementId: item.entitlementId,
      dueAt: item.dueAt,
      privilegeRank: item.privilegeRank,
      stage: item.stage + 1,
      previousItemId: item.id,
      reviewerId,
      routing: reviewerId === spread ? "second stage" : "second stage: fallback (separation of duties)",
      recommendation: first.decision,
      recommendationReason: reason,
      createdAt: now,
      updatedAt: now,
    };
  });
  const created = await tx
    .insert(reviewItems)
    .values(values)
    .returning({ id: reviewItems.id, reviewerId: reviewItems.reviewerId, previousItemId: reviewItems.previousItemId });
  await recordAudit(
    tx,
    actor,
    created.map((c) => ({
      action: "review.second_stage_opened",
      entityType: "review_item",
      entityId: c.id,
      after: { previousItemId: c.previousItemId, reviewerId: c.reviewerId },
    })),
  );
}

/**
 * Certify, revoke or reassign review items, one or many (a bulk decision is
 * all or nothing). Only the assigned reviewer decides; items assigned to
 * anyone else answer 404.
 */
export async function decideItems(db: Db, caller: Caller, raw: unknown) {
  requireDecider(caller);
  const input = parseInput(decisionInput, raw);
  const itemIds = [...new Set(input.itemIds)];
  return auditedTransaction(db, async (tx) => {
    const rows = await tx
      .select({
        item: reviewItems,
        campaignStatus: campaigns.status,
        revokeAt: campaigns.revokeAt,
        stages: campaigns.stages,
        secondStageReviewerIds: campaigns.secondStageReviewerIds,
        fallbackReviewerId: campaigns.fallbackReviewerId,
        campaignOwnerId: campaigns.ownerId,
        privilegeLevel: entitlements.privilegeLevel,
        // A standard grant held by an identity that can become administrator is no routine certification.
        reachesAdmin: sql<boolean>`exists (select 1 from ${identityEscalations} ie where ie.identity_id = ${reviewItems.identityId} and ie.reaches_admin)`,
      })
      .from(reviewItems)
      .innerJoin(campaigns, eq(campaigns.id, reviewItems.campaignId))
      .innerJoin(entitlements, eq(entitlements.id, reviewItems.entitlementId))
      .where(inArray(reviewItems.id, itemIds))
      .for("update", { of: reviewItems });
    if (rows.length !== itemIds.length || rows.some((r) => r.item.reviewerId !== caller.identityId)) throw new NotFoundError("Review item");
    if (rows.some((r) => r.campaignStatus !== "active" || r.item.closedAt)) throw new ConflictError("Decisions can only be made while the campaign is active.");
    const decided = rows.filter((r) => r.item.decision !== null);
    if (decided.length) throw new ConflictError(`${decided.length} of these items ${decided.length === 1 ? "is" : "are"} already decided.`);
    // Routing keeps people off their own access; a reassignment cannot undo it.
    if (rows.some((r) => r.item.identityId === caller.identityId)) throw new ConflictError("Nobody reviews their own access.");
    if (input.decision === "certify" && (!input.comment || input.comment.length < 3) && rows.some((r) => r.privilegeLevel !== "standard" || r.reachesAdmin)) {
      throw new ValidationError({ comment: ["Say why privileged or admin access is still needed."] });
    }

    const now = new Date();
    const actor = actorOf(caller);
    const previousIds = rows.map((r) => r.item.previousItemId).filter((id): id is string => !!id);
    const stageOneDeciders = new Map(
      previousIds.length === 0
        ? []
        : (await tx.select({ id: reviewItems.id, by: reviewItems.decidedById }).from(reviewItems).where(inArray(reviewItems.id, previousIds))).map((p) => [
            p.id,
            p.by,
          ]),
    );
    if (input.decision === "reassign") {
      const target = input.reassignTo!;
      if (!(await isDecider(tx, target))) throw new ValidationError({ reassignTo: ["Reassign to an active person who may decide (not read-only)."] });
      if (target === caller.identityId) throw new ValidationError({ reassignTo: ["Choose someone other than yourself."] });
      if (rows.some((r) => r.item.identityId === target)) throw new ValidationError({ reassignTo: ["That person would review their own access."] });
      if (rows.some((r) => r.item.previousItemId && stageOneDeciders.get(r.item.previousItemId) === target)) {
        throw new ValidationError({ reassignTo: ["That person made the first-stage decision; the second stage needs someone else."] });
      }
      await tx
        .update(reviewItems)
        .set({ reviewerId: target, routing: `reassigned by ${actor.label}`, comment: input.comment ?? null, updatedAt: now })
        .where(inArray(reviewItems.id, itemIds));
      await recordAudit(
        tx,
        actor,
        rows.map((r) => ({
          action: "review.reassigned",
          entityType: "review_item",
          entityId: r.item.id,
          before: { reviewerId: r.item.reviewerId },
          after: { reviewerId: target, comment: input.comment ?? null },
        })),
      );
      return { decided: rows.length, decision: input.decision };
    }

    await tx
      .update(reviewItems)
      .set({ decision: input.decision, decidedById: caller.identityId, decidedAt: now, comment: input.comment ?? null, updatedAt: now })
      .where(inArray(reviewItems.id, itemIds));
    await recordAudit(
      tx,
      actor,
      rows.map((r) => ({
        action: `review.${input.decision}`,
        entityType: "review_item",
        entityId: r.item.id,
        after: { grantId: r.item.grantId, decision: input.decision, comment: input.comment ?? null, stage: r.item.stage },
      })),
    );
    // In a two-stage campaign a first-stage decision only proposes: a second
    // reviewer confirms it before anything happens to the grant.
    const proposed = rows.filter((r) => r.item.stage < r.stages);
    if (proposed.length > 0)
      await openSecondStage(tx, actor, proposed, { deciderId: caller.identityId, deciderLabel: caller.name, decision: input.decision, comment: input.comment });
    const final = rows.filter((r) => r.item.stage >= r.stages).map((r) => ({ itemId: r.item.id, grantId: r.item.grantId, revokeAt: r.revokeAt }));
    await applyDecisions(tx, actor, final, { decision: input.decision, deciderId: caller.identityId, comment: input.comment ?? "", at: now });
    return { decided: rows.length, decision: input.decision };
  });
}
