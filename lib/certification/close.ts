import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { campaigns, identities, reviewItems } from "@/db/schema";
import { type Actor, auditedTransaction, recordAudit } from "@/lib/audit/record";
import { actorOf, requireDecider, hasRole, requireRole, type Caller } from "@/lib/caller";
import { ConflictError, ForbiddenError, parseInput } from "@/lib/errors";
import { notify } from "@/lib/notifications/notify";
import { revokeGrants } from "@/lib/revocation/revoke";
import { getCampaign } from "./campaigns";
import { applyDecisions } from "./decide";
import { cancelInput, closeInput, signOffInput } from "./schemas";

export type CloseSummary = {
  undecided: number;
  rule: "keep" | "revoke" | "recommendation";
  kept: number;
  autoCertified: number;
  autoRevoked: number;
  revokedAtClose: number;
  closedBy: string;
  reason: string | null;
};

const open = and(isNull(reviewItems.decision), isNull(reviewItems.closedAt));

/**
 * Closes an active campaign: items still open are settled by the campaign's
 * rule (kept as they are, revoked, or decided as recommended), every final
 * revoke decision whose grant is still live is carried out through the
 * revocation path, and the owner is asked to sign off. Returns null when the
 * campaign is no longer active, so a repeated close changes nothing.
 */
export async function closeInTransaction(tx: Tx, actor: Actor, id: string, reason: string | null = null): Promise<CloseSummary | null> {
  const [campaign] = await tx.select().from(campaigns).where(eq(campaigns.id, id)).for("update");
  if (!campaign || campaign.status !== "active") return null;
  const now = new Date();
  const rule = campaign.undecidedAction;
  const summary: CloseSummary = { undecided: 0, rule, kept: 0, autoCertified: 0, autoRevoked: 0, revokedAtClose: 0, closedBy: actor.label, reason };

  if (rule === "keep") {
    const kept = await tx
      .update(reviewItems)
      .set({ closedAt: now, updatedAt: now })
      .where(and(eq(reviewItems.campaignId, id), open))
      .returning({ id: reviewItems.id });
    summary.undecided = summary.kept = kept.length;
  } else {
    const decision = rule === "revoke" ? sql`'revoke'::review_decision` : sql`${reviewItems.recommendation}::review_decision`;
    const comment = rule === "revoke" ? "Undecided at the due date: revoked by the campaign's rule." : "Undecided at the due date: decided as recommended.";
    const settled = await tx
      .update(reviewItems)
      .set({ decision, autoDecided: rule, decidedAt: now, comment, updatedAt: now })
      .where(and(eq(reviewItems.campaignId, id), open))
      .returning({ id: reviewItems.id, grantId: reviewItems.grantId, decision: reviewItems.decision });
    summary.undecided = settled.length;
    const certified = settled.filter((s) => s.decision === "certify");
    summary.autoCertified = certified.length;
    summary.autoRevoked = settled.length - certified.length;
    await applyDecisions(
      tx,
      actor,
      certified.map((s) => ({ itemId: s.id, grantId: s.grantId, revokeAt: "close" })),
      { decision: "certify", deciderId: null, comment, at: now },
    );
    if (settled.length > 0) {
      await recordAudit(
        tx,
        actor,
        settled.map((s) => ({
          action: `review.${s.decision === "revoke" ? "revoke" : "certify"}` as const,
          entityType: "review_item",
          entityId: s.id,
          after: { grantId: s.grantId, decision: s.decision, auto: rule, comment },
        })),
      );
    }
  }

  // Final revoke decisions: not superseded by a second-stage item.
  const toRevoke = await tx
    .select({ itemId: reviewItems.id, grantId: reviewItems.grantId, comment: reviewItems.comment })
    .from(reviewItems)
    .where(
      and(
        eq(reviewItems.campaignId, id),
        eq(reviewItems.decision, "revoke"),
        sql`not exists (select 1 from ${reviewItems} next where next.previous_item_id = ${reviewItems.id})`,
      ),
    );
  if (toRevoke.length > 0) {
    const sourceRefs = new Map(toRevoke.map((r) => [r.grantId, r.itemId]));
    const ended = await revokeGrants(tx, actor, [...sourceRefs.keys()], { source: "campaign", sourceRefs, reason: `Revoked in campaign "${campaign.name}"` });
    summary.revokedAtClose = ended.length;
  }

  await tx.update(campaigns).set({ status: "completed", completedAt: now, closeSummary: summary, updatedAt: now }).where(eq(campaigns.id, id));
  await recordAudit(tx, actor, {
    action: "campaign.closed",
    entityType: "campaign",
    entityId: id,
    before: { status: "active" },
    after: { status: "completed", ...summary },
  });
  await notify(tx, [campaign.ownerId], {
    kind: "campaign.closed",
    title: `Campaign "${campaign.name}" closed: sign-off needed`,
    body: `${summary.undecided} undecided items were settled (${rule}); ${summary.revokedAtClose} grants were revoked at close.`,
    link: `/certifications/${id}`,
  });
  return summary;
}

/** An admin closes an active campaign before (or at) its due date. */
export async function closeCampaign(db: Db, caller: Caller, id: string, raw: unknown = {}) {
  requireRole(caller, "admin");
  const input = parseInput(closeInput, raw);
  const campaign = await getCampaign(db, caller, id);
  if (campaign.status !== "active") throw new ConflictError(`Only an active campaign can be closed; this one is ${campaign.status}.`);
  const summary = await auditedTransaction(db, (tx) => closeInTransaction(tx, actorOf(caller), id, input.reason ?? null));
  if (!summary) throw new ConflictError("This campaign was closed meanwhile.");
  return summary;
}

/**
 * Cancels a draft or active campaign: open items close untouched and nothing
 * more is revoked (revocations already carried out stay). A cancelled
 * recurring campaign ends its series.
 */
export async function cancelCampaign(db: Db, caller: Caller, id: string, raw: unknown) {
  requireRole(caller, "admin");
  const input = parseInput(cancelInput, raw);
  await getCampaign(db, caller, id);
  return auditedTransaction(db, async (tx) => {
    const [campaign] = await tx.select().from(campaigns).where(eq(campaigns.id, id)).for("update");
    if (campaign.status !== "draft" && campaign.status !== "active") throw new ConflictError(`A ${campaign.status} campaign cannot be cancelled.`);
    const now = new Date();
    const closed = await tx
      .update(reviewItems)
      .set({ closedAt: now, updatedAt: now })
      .where(and(eq(reviewItems.campaignId, id), open))
      .returning({ id: reviewItems.id });
    await tx.update(campaigns).set({ status: "cancelled", cancelledAt: now, cancelReason: input.reason, updatedAt: now }).where(eq(campaigns.id, id));
    await recordAudit(tx, actorOf(caller), {
      action: "campaign.cancelled",
      entityType: "campaign",
      entityId: id,
      before: { status: campaign.status },
      after: { status: "cancelled", reason: input.reason, openItemsClosed: closed.length },
    });
    return { status: "cancelled" as const, openItemsClosed: closed.length };
  });
}

/**
 * The campaign owner signs off a completed campaign as the record of the
 * review; when the owner is no longer active, another admin may.
 */
export async function signOffCampaign(db: Db, caller: Caller, id: string, raw: unknown = {}) {
  requireDecider(caller);
  const input = parseInput(signOffInput, raw);
  const campaign = await getCampaign(db, caller, id);
  const [owner] = await db.select({ status: identities.status }).from(identities).where(eq(identities.id, campaign.ownerId));
  const ownerGone = owner?.status !== "active";
  if (campaign.ownerId !== caller.identityId && !(ownerGone && hasRole(caller, "admin"))) throw new ForbiddenError("Only the campaign's owner signs it off.");
  return auditedTransaction(db, async (tx) => {
    const [locked] = await tx.select().from(campaigns).where(eq(campaigns.id, id)).for("update");
    if (locked.status !== "completed") throw new ConflictError("Sign off a campaign once it has closed.");
    if (locked.signedOffAt) throw new ConflictError("This campaign is already signed off.");
    const now = new Date();
    await tx
      .update(campaigns)
      .set({ signedOffAt: now, signedOffById: caller.identityId, signOffComment: input.comment ?? null, updatedAt: now })
      .where(eq(campaigns.id, id));
    await recordAudit(tx, actorOf(caller), {
      action: "campaign.signed_off",
      entityType: "campaign",
      entityId: id,
      before: { signedOffAt: null },
      after: { signedOffAt: now, comment: input.comment ?? null },
    });
    return { signedOffAt: now };
  });
}
