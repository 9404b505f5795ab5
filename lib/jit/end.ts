import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { jitRequests } from "@/db/schema";
import { auditedTransaction, recordAudit } from "@/lib/audit/record";
import { actorOf, requireDecider, hasRole, requireScope, type Caller } from "@/lib/caller";
import { ConflictError, ForbiddenError, parseInput } from "@/lib/errors";
import { notify } from "@/lib/notifications/notify";
import { isRequesterOf, lockVisibleRequest } from "./access";
import { releaseInput, revokeInput } from "./schemas";
import { closeWindow, requestLink, requesterRecipients, settleApprovalNotices, settleBeforeAction, settleRequest } from "./window";

const OPEN_WINDOW = ["approved", "active"];

/** The requester is done early: the access ends now, through the revocation path. */
export async function releaseRequest(db: Db, caller: Caller, id: string, raw: unknown) {
  if (caller.token) requireScope(caller, "jit:request");
  const input = parseInput(releaseInput, raw);
  await settleBeforeAction(db, id);
  return auditedTransaction(db, async (tx) => {
    const locked = await lockVisibleRequest(tx, caller, id);
    if (!isRequesterOf(caller, locked)) throw new ForbiddenError("Only the requester releases their access; approvers and admins revoke it.");
    const request = (await settleRequest(tx, locked.id))!;
    if (request.status === "pending") throw new ConflictError("This request is still pending; cancel it instead.");
    if (!OPEN_WINDOW.includes(request.status)) throw new ConflictError(`This access has already ended (${request.status.replace("_", " ")}).`);
    const reason = `Released early by the requester${input.comment ? `: ${input.comment}` : ""}`;
    return closeWindow(tx, actorOf(caller), request, { status: "released", reason, endedById: caller.identityId });
  });
}

/** An admin, or an approver, ends someone's elevation before its window closes. A reason is required. */
export async function revokeRequest(db: Db, caller: Caller, id: string, raw: unknown) {
  if (caller.token) throw new ForbiddenError("Elevation is revoked by people; a token releases its own.");
  requireDecider(caller);
  const input = parseInput(revokeInput, raw);
  await settleBeforeAction(db, id);
  return auditedTransaction(db, async (tx) => {
    const locked = await lockVisibleRequest(tx, caller, id);
    if (!hasRole(caller, "admin", "approver") && !locked.approverIds.includes(caller.identityId))
      throw new ForbiddenError("Admins and approvers revoke elevation.");
    const request = (await settleRequest(tx, locked.id))!;
    if (!OPEN_WINDOW.includes(request.status))
      throw new ConflictError(`Only approved or active access can be revoked; this request is ${request.status.replace("_", " ")}.`);
    const ended = await closeWindow(tx, actorOf(caller), request, { status: "revoked", reason: input.reason, endedById: caller.identityId });
    if (!isRequesterOf(caller, request)) {
      await notify(tx, await requesterRecipients(tx, request), {
        kind: "jit.revoked",
        title: `Your elevation was revoked by ${caller.name}`,
        body: input.reason,
        link: requestLink(request.id),
      });
    }
    return ended;
  });
}

/** The requester withdraws a request nobody has decided yet. */
export async function cancelRequest(db: Db, caller: Caller, id: string) {
  if (caller.token) requireScope(caller, "jit:request");
  await settleBeforeAction(db, id);
  return auditedTransaction(db, async (tx) => {
    const locked = await lockVisibleRequest(tx, caller, id);
    if (!isRequesterOf(caller, locked)) throw new ForbiddenError("Only the requester cancels a request.");
    const request = (await settleRequest(tx, locked.id))!;
    if (request.status !== "pending") throw new ConflictError(`Only a pending request can be cancelled; this one is ${request.status.replace("_", " ")}.`);
    const now = new Date();
    await tx
      .update(jitRequests)
      .set({ status: "cancelled", endedAt: now, endedById: caller.identityId, endReason: "Cancelled by the requester", updatedAt: now })
      .where(eq(jitRequests.id, request.id));
    await recordAudit(tx, actorOf(caller), {
      action: "jit.cancelled",
      entityType: "jit_request",
      entityId: request.id,
      before: { status: "pending" },
      after: { status: "cancelled" },
    });
    await settleApprovalNotices(tx, request.id);
    return { ...request, status: "cancelled" as const, endedAt: now };
  });
}
