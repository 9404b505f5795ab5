import { eq, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { identities, jitApprovals, jitRequests } from "@/db/schema";
import { auditedTransaction, recordAudit } from "@/lib/audit/record";
import { actorOf, requireDecider, hasRole, type Caller } from "@/lib/caller";
import { ConflictError, ForbiddenError, parseInput } from "@/lib/errors";
import { notify } from "@/lib/notifications/notify";
import { isRequesterOf, lockVisibleRequest } from "./access";
import { peopleWithRole } from "./eligibility";
import { conflictedApprovers } from "./request";
import { approveInput, denyInput, postReviewInput } from "./schemas";
import { closeWindow, openWindow, requestLink, requesterRecipients, settleApprovalNotices, settleBeforeAction, settleRequest } from "./window";

const STATUS_WORDS: Record<string, string> = {
  approved: "already approved",
  active: "already approved and active",
  denied: "denied",
  expired: "expired",
  released: "released",
  revoked: "revoked",
  cancelled: "cancelled",
  timed_out: "timed out",
};

async function ownersOf(db: Tx, identityId: string) {
  const [row] = await db
    .select({ id: identities.id, kind: identities.kind, ownerId: identities.ownerId, backupOwnerId: identities.backupOwnerId })
    .from(identities)
    .where(eq(identities.id, identityId));
  return row;
}

/**
 * Records one approver's approve or deny. The request row is locked for the
 * decision, so approvals arriving at the same moment are counted one after the
 * other: the one that reaches the threshold opens the window, and any later
 * one finds the request already approved. Nobody approves their own request,
 * nor one for an NHI they own.
 */
export async function decideRequest(db: Db, caller: Caller, id: string, decision: "approve" | "deny", raw: unknown) {
  if (caller.token) throw new ForbiddenError("Requests are approved by people, not tokens.");
  requireDecider(caller);
  const input = decision === "approve" ? parseInput(approveInput, raw) : parseInput(denyInput, raw);
  await settleBeforeAction(db, id);
  return auditedTransaction(db, async (tx) => {
    const locked = await lockVisibleRequest(tx, caller, id);
    const subject = await ownersOf(tx, locked.identityId);
    if (conflictedApprovers(subject, locked.requesterId).has(caller.identityId))
      throw new ForbiddenError("Nobody approves their own request, nor one for an identity they own.");
    if (!locked.approverIds.includes(caller.identityId)) throw new ForbiddenError("You are not among the approvers of this request.");
    const request = (await settleRequest(tx, locked.id))!;
    if (request.status !== "pending")
      throw new ConflictError(`This request is ${STATUS_WORDS[request.status] ?? request.status}; it can no longer be decided.`);

    const [recorded] = await tx
      .insert(jitApprovals)
      .values({ requestId: request.id, approverId: caller.identityId, decision, comment: input.comment ?? null })
      .onConflictDoNothing()
      .returning();
    if (!recorded) throw new ConflictError("You have already decided this request.");
    const actor = actorOf(caller);
    await recordAudit(tx, actor, {
      action: `jit.${decision === "approve" ? "approval" : "denial"}_recorded`,
      entityType: "jit_request",
      entityId: request.id,
      after: { approverId: caller.identityId, comment: input.comment ?? null },
    });
    await settleApprovalNotices(tx, request.id, [caller.identityId]);

    const [tally] = await tx
      .select({
        approvals: sql<number>`count(*) filter (where ${jitApprovals.decision} = 'approve')`.mapWith(Number),
        denials: sql<number>`count(*) filter (where ${jitApprovals.decision} = 'deny')`.mapWith(Number),
      })
      .from(jitApprovals)
      .where(eq(jitApprovals.requestId, request.id));

    if (decision === "deny") {
      // Without "one deny ends it", a request ends when the approvals left can no longer reach the threshold.
      const reachable = request.approverIds.length - tally.denials >= request.approvalsRequired;
      if (request.denyEndsRequest || !reachable) {
        const now = new Date();
        await tx
          .update(jitRequests)
          .set({ status: "denied", decidedAt: now, endedAt: now, endedById: caller.identityId, endReason: input.comment ?? null, updatedAt: now })
          .where(eq(jitRequests.id, request.id));
        await recordAudit(tx, actor, {
          action: "jit.denied",
          entityType: "jit_request",
          entityId: request.id,
          before: { status: "pending" },
          after: { status: "denied", comment: input.comment ?? null },
        });
        await settleApprovalNotices(tx, request.id);
        await notify(tx, await requesterRecipients(tx, request), {
          kind: "jit.denied",
          title: `Request denied by ${caller.name}`,
          body: input.comment,
          link: requestLink(request.id),
        });
        return { ...request, status: "denied" as const, approvals: tally.approvals, denials: tally.denials };
      }
      return { ...request, approvals: tally.approvals, denials: tally.denials };
    }
    if (tally.approvals >= request.approvalsRequired) {
      const how = `Approved by ${caller.name}${request.approvalsRequired > 1 ? ` (${tally.approvals} of ${request.approvalsRequired})` : ""}${input.comment ? `: “${input.comment}”` : ""}`;
      const opened = await openWindow(tx, actor, request, { approvedById: caller.identityId, provenance: "jit_approval", how });
      return { ...opened, approvals: tally.approvals, denials: tally.denials };
    }
    await notify(tx, await requesterRecipients(tx, request), {
      kind: "jit.approval",
      title: `${caller.name} approved (${tally.approvals} of ${request.approvalsRequired})`,
      body: "More approvals are needed before the access opens.",
      link: requestLink(request.id),
    });
    return { ...request, approvals: tally.approvals, denials: tally.denials };
  });
}

/**
 * An approver confirms a break-glass use afterwards, or escalates it: an
 * escalation ends the access if it is still open and tells the admins.
 */
export async function reviewBreakGlass(db: Db, caller: Caller, id: string, raw: unknown) {
  if (caller.token) throw new ForbiddenError("Break-glass use is reviewed by people.");
  requireDecider(caller);
  const input = parseInput(postReviewInput, raw);
  await settleBeforeAction(db, id);
  return auditedTransaction(db, async (tx) => {
    const locked = await lockVisibleRequest(tx, caller, id);
    const subject = await ownersOf(tx, locked.identityId);
    if (!locked.breakGlass) throw new ConflictError("Only break-glass uses are reviewed afterwards.");
    if (conflictedApprovers(subject, locked.requesterId).has(caller.identityId) || isRequesterOf(caller, locked))
      throw new ForbiddenError("Nobody reviews their own break-glass use.");
    if (!locked.approverIds.includes(caller.identityId) && !hasRole(caller, "approver", "admin"))
      throw new ForbiddenError("Approvers and admins review break-glass use.");
    if (locked.postReviewStatus !== "pending") throw new ConflictError(`This break-glass use was already ${locked.postReviewStatus}.`);
    const now = new Date();
    const actor = actorOf(caller);
    let request = (await settleRequest(tx, locked.id, now))!;
    const status = input.outcome === "confirm" ? "confirmed" : "escalated";
    await tx
      .update(jitRequests)
      .set({ postReviewStatus: status, postReviewedById: caller.identityId, postReviewedAt: now, postReviewComment: input.comment ?? null, updatedAt: now })
      .where(eq(jitRequests.id, request.id));
    await recordAudit(tx, actor, {
      action: `jit.break_glass_${status}`,
      entityType: "jit_request",
      entityId: request.id,
      before: { postReviewStatus: "pending" },
      after: { postReviewStatus: status, comment: input.comment ?? null },
    });
    if (status === "escalated") {
      if (request.status === "active" || request.status === "approved") {
        request = await closeWindow(
          tx,
          actor,
          request,
          { status: "revoked", reason: `Break-glass use escalated: ${input.comment}`, endedById: caller.identityId },
          now,
        );
      }
      await notify(
        tx,
        (await peopleWithRole(tx, "admin")).filter((a) => a !== caller.identityId),
        {
          kind: "jit.break_glass_escalated",
          title: `Break-glass use escalated by ${caller.name}`,
          body: input.comment,
          link: requestLink(request.id),
        },
      );
    }
    return { ...request, postReviewStatus: status, postReviewedById: caller.identityId, postReviewedAt: now };
  });
}
