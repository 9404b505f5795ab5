import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { campaigns, entitlements, grants, identities, reviewItems } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { actorOf, type Caller } from "@/lib/auth/caller";
import { ConflictError, NotFoundError, ValidationError, parseInput } from "@/lib/errors";
import { revokeGrants } from "@/lib/revocation/revoke";
import { decisionInput } from "./schemas";

/**
 * Certify, revoke or reassign review items, one or many (a bulk decision is
 * all or nothing). Only the assigned reviewer decides; items assigned to
 * anyone else answer 404. Certifying records the decision as the grant's
 * provenance; revoking goes through the one revocation path, now or at close.
 */
export async function decideItems(db: Db, caller: Caller, raw: unknown) {
  const input = parseInput(decisionInput, raw);
  const itemIds = [...new Set(input.itemIds)];
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({
        item: reviewItems,
        campaignStatus: campaigns.status,
        revokeAt: campaigns.revokeAt,
        privilegeLevel: entitlements.privilegeLevel,
      })
      .from(reviewItems)
      .innerJoin(campaigns, eq(campaigns.id, reviewItems.campaignId))
      .innerJoin(entitlements, eq(entitlements.id, reviewItems.entitlementId))
      .where(inArray(reviewItems.id, itemIds))
      .for("update", { of: reviewItems });
    if (rows.length !== itemIds.length || rows.some((r) => r.item.reviewerId !== caller.identityId)) throw new NotFoundError("Review item");
    if (rows.some((r) => r.campaignStatus !== "active")) throw new ConflictError("Decisions can only be made while the campaign is active.");
    const decided = rows.filter((r) => r.item.decision !== null);
    if (decided.length) throw new ConflictError(`${decided.length} of these items ${decided.length === 1 ? "is" : "are"} already decided.`);
    // Routing keeps people off their own access; a reassignment cannot undo it.
    if (rows.some((r) => r.item.identityId === caller.identityId)) throw new ConflictError("Nobody reviews their own access.");
    if (input.decision === "certify" && (!input.comment || input.comment.length < 3) && rows.some((r) => r.privilegeLevel !== "standard")) {
      throw new ValidationError({ comment: ["Say why privileged or admin access is still needed."] });
    }

    const now = new Date();
    const actor = actorOf(caller);
    if (input.decision === "reassign") {
      const target = input.reassignTo!;
      const [person] = await tx
        .select({ id: identities.id })
        .from(identities)
        .where(and(eq(identities.id, target), eq(identities.kind, "human"), eq(identities.status, "active")));
      if (!person) throw new ValidationError({ reassignTo: ["Reassign to an active person."] });
      if (target === caller.identityId) throw new ValidationError({ reassignTo: ["Choose someone other than yourself."] });
      if (rows.some((r) => r.item.identityId === target)) throw new ValidationError({ reassignTo: ["That person would review their own access."] });
      await tx
        .update(reviewItems)
        .set({ reviewerId: target, routing: `reassigned by ${actor.label}`, comment: input.comment ?? null, updatedAt: now })
        .where(inArray(reviewItems.id, itemIds));
      await recordAudit(
        tx,
        actor,
        rows.map((r) => ({ action: "review.reassigned", entityType: "review_item", entityId: r.item.id, before: { reviewerId: r.item.reviewerId }, after: { reviewerId: target, comment: input.comment ?? null } })),
      );
      return { decided: rows.length, decision: input.decision };
    }

    await tx
      .update(reviewItems)
      .set({ decision: input.decision, decidedById: caller.identityId, decidedAt: now, comment: input.comment ?? null, updatedAt: now })
      .where(inArray(reviewItems.id, itemIds));
    const grantIds = rows.map((r) => r.item.grantId);
    if (input.decision === "certify") {
      // The decision becomes the grant's provenance: who approved it, when, and in which review.
      await tx
        .update(grants)
        .set({ provenance: "campaign_decision", provenanceRef: sql`${reviewItems.id}::text`, approvedById: caller.identityId, approvedAt: now, updatedAt: now })
        .from(reviewItems)
        .where(and(eq(reviewItems.grantId, grants.id), inArray(reviewItems.id, itemIds)));
    }
    await recordAudit(
      tx,
      actor,
      rows.map((r) => ({ action: `review.${input.decision}`, entityType: "review_item", entityId: r.item.id, after: { grantId: r.item.grantId, decision: input.decision, comment: input.comment ?? null } })),
    );
    // A bulk selection can span campaigns: each item follows its own campaign's
    // timing; the rest are revoked when their campaign closes.
    const revokeNow = input.decision === "revoke" ? rows.filter((r) => r.revokeAt === "decision") : [];
    if (revokeNow.length > 0) {
      const sourceRefs = new Map(revokeNow.map((r) => [r.item.grantId, r.item.id]));
      await revokeGrants(tx, actor, [...sourceRefs.keys()], { source: "campaign", sourceRefs, reason: input.comment! });
    }
    return { decided: rows.length, decision: input.decision };
  });
}
