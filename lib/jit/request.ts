import { addDays, addMinutes, subMinutes } from "date-fns";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { entitlements, identities, jitRequests, systems } from "@/db/schema";
import { auditedTransaction, recordAudit } from "@/lib/audit/record";
import { actorOf, isReadOnly, readOnlyPerson, requireScope, type Caller } from "@/lib/caller";
import { ConflictError, ForbiddenError, ValidationError, isUniqueViolation, parseInput, type FieldErrors } from "@/lib/errors";
import { enqueue } from "@/lib/jobs/enqueue";
import { notify } from "@/lib/notifications/notify";
import { emitAccessEvents } from "@/lib/revocation/outbox";
import { applicablePolicies, peopleWithRole, type ApplicablePolicy } from "./eligibility";
import { requestInput } from "./schemas";
import { JIT_SETTLE_QUEUE, openWindow, requestLink, settleApprovalNotices, settleRequest, type JitRequest } from "./window";

const MAX_SCHEDULE_DAYS = 30;

type Subject = { id: string; kind: string; ownerId: string | null; backupOwnerId: string | null };

/** Everyone who may not approve this request: the identity, whoever asked, and an NHI's owners (they hold its token). */
export function conflictedApprovers(subject: Subject, requesterId: string): Set<string> {
  return new Set([subject.id, requesterId, subject.ownerId, subject.backupOwnerId].filter((id): id is string => !!id));
}

/**
 * Who may approve, fixed when the request is made: the policy's approvers
 * without anyone conflicted or read-only. When that leaves too few to reach the threshold,
 * the approver group fills in, then the admins; a request nobody could
 * approve is refused rather than left to time out.
 */
async function approversFor(tx: Tx, policy: ApplicablePolicy, subject: Subject, requesterId: string, entitlementOwnerId: string | null): Promise<string[]> {
  const excluded = conflictedApprovers(subject, requesterId);
  const activePeople = async (ids: string[]) =>
    ids.length === 0
      ? []
      : (
          await tx
            .select({ id: identities.id })
            .from(identities)
            .where(
              and(
                inArray(identities.id, ids),
                eq(identities.kind, "human"),
                eq(identities.status, "active"),
                sql`not ${readOnlyPerson(sql`${identities.id}`)}`,
              ),
            )
        ).map((r) => r.id);
  let chosen: string[];
  if (policy.approverMode === "named") chosen = await activePeople(policy.approverIds);
  else if (policy.approverMode === "entitlement_owner") chosen = await activePeople(entitlementOwnerId ? [entitlementOwnerId] : []);
  else chosen = await peopleWithRole(tx, "approver");
  const set = new Set(chosen.filter((id) => !excluded.has(id)));
  for (const role of ["approver", "admin"] as const) {
    if (set.size >= policy.approvalsRequired) break;
    for (const id of await peopleWithRole(tx, role)) if (!excluded.has(id)) set.add(id);
  }
  if (set.size < policy.approvalsRequired) {
    throw new ConflictError(
      `Only ${set.size} ${set.size === 1 ? "person" : "people"} could approve this without approving their own access, and ${policy.approvalsRequired} approvals are needed. Ask an admin to name approvers.`,
    );
  }
  return [...set];
}

/**
 * Asks for just-in-time elevation of the caller (a person, or an NHI through
 * its API token) under the most favourable policy that makes it eligible.
 * Auto-approved and break-glass requests open their window at once; others
 * wait for approvers until the policy's pending timeout.
 */
export async function createRequest(db: Db, caller: Caller, raw: unknown) {
  if (caller.token) requireScope(caller, "jit:request");
  // Read-only roles change nothing, their own access included.
  if (isReadOnly(caller)) throw new ForbiddenError(`Your role is read-only (${[...caller.roles].join(", ")}): you can see access, not request it.`);
  const input = parseInput(requestInput, raw);
  const now = new Date();
  return auditedTransaction(db, async (tx) => {
    const [subject] = await tx
      .select({ id: identities.id, kind: identities.kind, name: identities.displayName, ownerId: identities.ownerId, backupOwnerId: identities.backupOwnerId })
      .from(identities)
      .where(eq(identities.id, caller.identityId));
    const [entitlement] = await tx
      .select({ id: entitlements.id, name: entitlements.name, ownerId: entitlements.ownerId, level: entitlements.privilegeLevel, systemName: systems.name })
      .from(entitlements)
      .innerJoin(systems, eq(systems.id, entitlements.systemId))
      .where(eq(entitlements.id, input.entitlementId));
    if (!entitlement) throw new ValidationError({ entitlementId: ["No such entitlement."] });
    const label = `${entitlement.systemName} / ${entitlement.name}`;

    const policies = await applicablePolicies(tx, subject.id, entitlement.id);
    if (policies.length === 0) throw new ForbiddenError(`${caller.token ? "This identity is" : "You are"} not eligible to request ${label}.`);
    const candidates = input.breakGlass ? policies.filter((p) => p.breakGlass) : policies;
    if (candidates.length === 0) throw new ForbiddenError(`No eligibility policy allows break-glass for ${label}; request it normally.`);
    const policy = candidates[0];

    const max = input.breakGlass ? policy.breakGlassMaxMinutes : policy.maxDurationMinutes;
    const duration = input.durationMinutes ?? Math.min(policy.defaultDurationMinutes, max);
    const errors: FieldErrors = {};
    if (duration > max)
      errors.durationMinutes = [`At most ${max} minutes ${input.breakGlass ? "for break-glass" : ""} under “${policy.name}”.`.replace("  ", " ")];
    if (policy.requireJustification && (input.justification?.length ?? 0) < 10) errors.justification = ["Say why you need it (at least 10 characters)."];
    if (policy.requireTicket && !input.ticket && !input.breakGlass) errors.ticket = ["This policy needs a ticket reference (e.g. CHG-1234)."];
    if (input.startAt && input.startAt < subMinutes(now, 1)) errors.startAt = ["The start cannot be in the past."];
    if (input.startAt && input.startAt > addDays(now, MAX_SCHEDULE_DAYS)) errors.startAt = [`Schedule at most ${MAX_SCHEDULE_DAYS} days ahead.`];
    if (Object.keys(errors).length) throw new ValidationError(errors);

    // A window that has passed, or a pending request past its deadline, must not block a new one.
    const open = await tx
      .select({ id: jitRequests.id })
      .from(jitRequests)
      .where(
        and(
          eq(jitRequests.identityId, subject.id),
          eq(jitRequests.entitlementId, entitlement.id),
          inArray(jitRequests.status, ["pending", "approved", "active"]),
        ),
      );
    const actor = actorOf(caller);
    for (const o of open) {
      const settled = await settleRequest(tx, o.id, now);
      if (!settled || !["pending", "approved", "active"].includes(settled.status)) continue;
      if (input.breakGlass && settled.status === "pending") {
        await tx
          .update(jitRequests)
          .set({ status: "cancelled", endedAt: now, endedById: caller.identityId, endReason: "Superseded by break-glass", updatedAt: now })
          .where(eq(jitRequests.id, settled.id));
        await recordAudit(tx, actor, {
          action: "jit.cancelled",
          entityType: "jit_request",
          entityId: settled.id,
          before: { status: "pending" },
          after: { status: "cancelled", reason: "Superseded by break-glass" },
        });
        await settleApprovalNotices(tx, settled.id);
        continue;
      }
      throw new ConflictError(`There is already ${settled.status === "pending" ? "a pending" : `an ${settled.status}`} request for ${label} (${settled.id}).`);
    }

    const approverIds = await approversFor(tx, policy, subject, caller.identityId, entitlement.ownerId);
    const deadline = addMinutes(now, policy.pendingTimeoutMinutes);
    const pendingUntil = input.startAt && input.startAt > deadline ? input.startAt : deadline;
    let request: JitRequest;
    try {
      [request] = await tx
        .insert(jitRequests)
        .values({
          requesterId: caller.identityId,
          identityId: subject.id,
          entitlementId: entitlement.id,
          policyId: policy.id,
          durationMinutes: duration,
          requestedStartAt: input.startAt ?? null,
          justification: input.justification ?? null,
          ticket: input.ticket ?? null,
          breakGlass: input.breakGlass,
          approvalsRequired: policy.approvalsRequired,
          approverIds,
          denyEndsRequest: policy.denyEndsRequest,
          activation: policy.activation,
          pendingUntil,
          postReviewStatus: input.breakGlass ? "pending" : null,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
    } catch (e) {
      if (isUniqueViolation(e, "jit_requests_one_open_key")) throw new ConflictError(`There is already an open request for ${label}.`);
      throw e;
    }
    await recordAudit(tx, actor, {
      action: "jit.requested",
      entityType: "jit_request",
      entityId: request.id,
      after: {
        identityId: subject.id,
        entitlementId: entitlement.id,
        policyId: policy.id,
        durationMinutes: duration,
        startAt: input.startAt ?? null,
        justification: input.justification ?? null,
        ticket: input.ticket ?? null,
        breakGlass: input.breakGlass,
        approverIds,
      },
    });

    if (input.breakGlass) {
      const opened = await openWindow(tx, actor, request, { approvedById: null, provenance: "break_glass", how: `Break-glass: ${input.justification}` }, now);
      const payload = {
        requestId: request.id,
        grantId: opened.grantId,
        identityId: subject.id,
        identityName: subject.name,
        entitlementId: entitlement.id,
        entitlement: label,
        reason: input.justification,
        startsAt: opened.startsAt?.toISOString(),
        expiresAt: opened.expiresAt?.toISOString(),
      };
      // Webhook connectors subscribed to jit.break_glass tell chat and paging, signed and retried.
      await emitAccessEvents(tx, [{ type: "jit.break_glass", grantId: opened.grantId, payload }]);
      const watchers = new Set([...approverIds, ...(await peopleWithRole(tx, "approver"))]);
      for (const id of conflictedApprovers(subject, caller.identityId)) watchers.delete(id);
      await notify(tx, watchers, {
        kind: "jit.break_glass",
        title: `Break-glass: ${subject.name} took ${label}`,
        body: `For ${duration} minutes. Reason: ${input.justification}. Confirm or escalate the use.`,
        link: requestLink(request.id),
      });
      return opened;
    }
    if (policy.autoApprove) {
      const why = policy.autoApproveAll ? `auto-approved by policy “${policy.name}”` : `auto-approved for the team by policy “${policy.name}”`;
      return openWindow(tx, actor, request, { approvedById: null, provenance: "jit_approval", how: why }, now);
    }
    await enqueue(tx, JIT_SETTLE_QUEUE, { requestId: request.id }, { startAfter: pendingUntil, key: `timeout:${request.id}` });
    await notify(tx, approverIds, {
      kind: "jit.pending",
      title: `Approval needed: ${subject.name} requests ${label}`,
      body: `${duration} minutes${input.ticket ? `, ${input.ticket}` : ""}. ${input.justification ?? ""}`.trim(),
      link: requestLink(request.id),
      subjectId: request.id,
    });
    return request;
  });
}
