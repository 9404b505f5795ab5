import { addMinutes, subMinutes } from "date-fns";
import { and, eq, inArray, lte, or, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { entitlements, grantIsActive, grants, identities, jitRequests, type JitRequestStatus } from "@/db/schema";
import { SYSTEM_ACTOR, auditedTransaction, recordAudit, type Actor } from "@/lib/audit/record";
import { createGrants } from "@/lib/grants/decisions";
import { enqueue } from "@/lib/jobs/enqueue";
import { notify, settleNotices } from "@/lib/notifications/notify";
import { emitAccessEvents } from "@/lib/revocation/outbox";
import { revokeGrants } from "@/lib/revocation/revoke";

export type JitRequest = typeof jitRequests.$inferSelect;

export const JIT_SETTLE_QUEUE = "jit.settle";
export const JIT_REMIND_QUEUE = "jit.remind";
/** Requesters hear this long before their window closes (windows of 20 minutes or more). */
export const REMIND_BEFORE_MINUTES = 10;

export const requestLink = (id: string) => `/access-requests/${id}`;

/** The approvers' "approval needed" notices of a request that is no longer pending (or of one approver who has decided). */
export const settleApprovalNotices = (tx: Tx, requestId: string, approverIds?: string[]) =>
  settleNotices(tx, { kind: "jit.pending", link: requestLink(requestId) }, approverIds);

/** Notices go to people; an NHI's requests are followed by its owner. */
export async function requesterRecipients(tx: Tx, request: Pick<JitRequest, "requesterId" | "identityId">): Promise<string[]> {
  const [who] = await tx.select({ kind: identities.kind, ownerId: identities.ownerId }).from(identities).where(eq(identities.id, request.requesterId));
  if (!who) return [];
  if (who.kind === "human") return [request.requesterId];
  return who.ownerId ? [who.ownerId] : [];
}

async function describe(tx: Tx, request: JitRequest) {
  const [row] = await tx
    .select({ identityName: identities.displayName, entitlementName: entitlements.name })
    .from(identities)
    .innerJoin(entitlements, eq(entitlements.id, request.entitlementId))
    .where(eq(identities.id, request.identityId));
  return row ?? { identityName: "an identity", entitlementName: "an entitlement" };
}

/** Schedules the durable work a window needs: activation at its start, a reminder, and expiry at its end. */
async function scheduleWindow(tx: Tx, request: Pick<JitRequest, "id">, startsAt: Date, expiresAt: Date, now: Date) {
  if (startsAt > now) await enqueue(tx, JIT_SETTLE_QUEUE, { requestId: request.id }, { startAfter: startsAt, key: `activate:${request.id}` });
  await enqueue(tx, JIT_SETTLE_QUEUE, { requestId: request.id }, { startAfter: expiresAt, key: `expire:${request.id}` });
  const remindAt = subMinutes(expiresAt, REMIND_BEFORE_MINUTES);
  if (expiresAt.getTime() - startsAt.getTime() >= 2 * REMIND_BEFORE_MINUTES * 60_000) {
    await enqueue(tx, JIT_REMIND_QUEUE, { requestId: request.id }, { startAfter: remindAt, key: `remind:${request.id}` });
  }
}

/**
 * Turns an approved (or auto-approved, or break-glass) request into a JIT
 * grant carrying its window. The grant is usable only inside
 * [starts_at, expires_at), computed at read time; jobs record the activation
 * and the expiry, and emit the events downstream systems enforce.
 */
export async function openWindow(
  tx: Tx,
  actor: Actor,
  request: JitRequest,
  approval: { approvedById: string | null; provenance: "jit_approval" | "break_glass"; how: string },
  now = new Date(),
) {
  const startsAt = request.requestedStartAt && request.requestedStartAt > now ? request.requestedStartAt : now;
  const expiresAt = addMinutes(startsAt, request.durationMinutes);
  const [grant] = await createGrants(tx, [
    {
      grant: { identityId: request.identityId, entitlementId: request.entitlementId, type: "jit", startsAt, expiresAt, createdAt: now, updatedAt: now },
      decision: { kind: approval.provenance, ref: request.id, decidedById: approval.approvedById, decidedAt: now, reason: approval.how, validUntil: expiresAt },
    },
  ]);
  const active = startsAt <= now;
  const status: JitRequestStatus = active ? "active" : "approved";
  await settleApprovalNotices(tx, request.id);
  await tx.update(jitRequests).set({ status, grantId: grant.id, startsAt, expiresAt, decidedAt: now, updatedAt: now }).where(eq(jitRequests.id, request.id));
  if (active) {
    await emitAccessEvents(tx, [
      {
        type: "grant.activated",
        grantId: grant.id,
        payload: {
          grantId: grant.id,
          requestId: request.id,
          identityId: request.identityId,
          entitlementId: request.entitlementId,
          startsAt: startsAt.toISOString(),
          expiresAt: expiresAt.toISOString(),
          breakGlass: request.breakGlass,
        },
      },
    ]);
  }
  await scheduleWindow(tx, request, startsAt, expiresAt, now);
  await recordAudit(tx, actor, [
    {
      action: "grant.created",
      entityType: "grant",
      entityId: grant.id,
      after: {
        type: "jit",
        provenance: approval.provenance,
        requestId: request.id,
        identityId: request.identityId,
        entitlementId: request.entitlementId,
        startsAt,
        expiresAt,
      },
    },
    {
      action: `jit.${active ? "activated" : "approved"}`,
      entityType: "jit_request",
      entityId: request.id,
      before: { status: request.status },
      after: { status, grantId: grant.id, startsAt, expiresAt, how: approval.how },
    },
  ]);
  const { entitlementName } = await describe(tx, request);
  await notify(tx, await requesterRecipients(tx, request), {
    kind: "jit.approved",
    title: active
      ? `${entitlementName} is active until ${expiresAt.toISOString().slice(11, 16)} UTC`
      : `${entitlementName} approved from ${startsAt.toISOString().slice(0, 16).replace("T", " ")} UTC`,
    body: approval.how,
    link: requestLink(request.id),
  });
  return { ...request, status, grantId: grant.id, startsAt, expiresAt, decidedAt: now };
}

/**
 * Ends an approved or active window through the one revocation path (the grant
 * ends, a remediation tracks it downstream, an event is emitted, it is
 * audited) and records why on the request.
 */
export async function closeWindow(
  tx: Tx,
  actor: Actor,
  request: JitRequest,
  end: { status: "expired" | "released" | "revoked"; reason: string; endedById: string | null },
  now = new Date(),
) {
  if (request.grantId) await revokeGrants(tx, actor, [request.grantId], { source: "jit", sourceRef: request.id, reason: end.reason });
  // An expiry ended access at the window's end, whenever the job got to it.
  const endedAt = end.status === "expired" && request.expiresAt ? request.expiresAt : now;
  await tx
    .update(jitRequests)
    .set({ status: end.status, endedAt, endedById: end.endedById, endReason: end.reason, updatedAt: now })
    .where(eq(jitRequests.id, request.id));
  await recordAudit(tx, actor, {
    action: `jit.${end.status}`,
    entityType: "jit_request",
    entityId: request.id,
    before: { status: request.status },
    after: { status: end.status, endedAt, reason: end.reason },
  });
  return { ...request, status: end.status, endedAt, endedById: end.endedById, endReason: end.reason };
}

/**
 * Brings one request's stored state up to date with the clock: a pending
 * request past its deadline times out, an approved window that has started
 * becomes active (and says so downstream), a window that has ended expires
 * through the revocation path. Safe to run any number of times, from a job,
 * the sweep, or inline before a decision.
 */
export async function settleRequest(tx: Tx, requestId: string, now = new Date()): Promise<JitRequest | null> {
  const [request] = await tx.select().from(jitRequests).where(eq(jitRequests.id, requestId)).for("update");
  if (!request) return null;
  if (request.status === "pending" && request.pendingUntil <= now) {
    await tx
      .update(jitRequests)
      .set({ status: "timed_out", endedAt: request.pendingUntil, endReason: "No decision before the pending timeout", updatedAt: now })
      .where(eq(jitRequests.id, request.id));
    await recordAudit(tx, SYSTEM_ACTOR, {
      action: "jit.timed_out",
      entityType: "jit_request",
      entityId: request.id,
      before: { status: "pending" },
      after: { status: "timed_out", pendingUntil: request.pendingUntil },
    });
    await settleApprovalNotices(tx, request.id);
    const { entitlementName } = await describe(tx, request);
    await notify(tx, await requesterRecipients(tx, request), {
      kind: "jit.timed_out",
      title: `Your request for ${entitlementName} timed out`,
      body: "Nobody decided in time. Ask again if you still need it.",
      link: requestLink(request.id),
    });
    return { ...request, status: "timed_out", endedAt: request.pendingUntil };
  }
  if ((request.status === "approved" || request.status === "active") && request.expiresAt && request.expiresAt <= now) {
    const ended = await closeWindow(tx, SYSTEM_ACTOR, request, { status: "expired", reason: "Expired: the approved window ended", endedById: null }, now);
    const { entitlementName } = await describe(tx, request);
    await notify(tx, await requesterRecipients(tx, request), {
      kind: "jit.expired",
      title: `${entitlementName} has expired`,
      body: "The window ended and the access was removed.",
      link: requestLink(request.id),
    });
    return ended;
  }
  if (request.status === "approved" && request.startsAt && request.startsAt <= now) {
    await tx.update(jitRequests).set({ status: "active", updatedAt: now }).where(eq(jitRequests.id, request.id));
    await emitAccessEvents(tx, [
      {
        type: "grant.activated",
        grantId: request.grantId,
        payload: {
          grantId: request.grantId,
          requestId: request.id,
          identityId: request.identityId,
          entitlementId: request.entitlementId,
          startsAt: request.startsAt.toISOString(),
          expiresAt: request.expiresAt?.toISOString() ?? null,
          breakGlass: request.breakGlass,
        },
      },
    ]);
    await recordAudit(tx, SYSTEM_ACTOR, {
      action: "jit.activated",
      entityType: "jit_request",
      entityId: request.id,
      before: { status: "approved" },
      after: { status: "active", startsAt: request.startsAt },
    });
    return { ...request, status: "active" };
  }
  return request;
}

/**
 * Settles a request in a transaction of its own before a person acts on it,
 * so what the clock already decided (a timeout, an expiry) is recorded even
 * when the person's own action is then refused and rolled back.
 */
export async function settleBeforeAction(db: Db, requestId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(requestId)) return;
  // Usually nothing is due: a plain read then spares the action a transaction and a row lock.
  const [due] = await db
    .select({ id: jitRequests.id })
    .from(jitRequests)
    .where(and(eq(jitRequests.id, requestId), behindTheClock(new Date())));
  if (due) await auditedTransaction(db, (tx) => settleRequest(tx, requestId));
}

/** Requests whose stored state lags the clock (the sweep's work list). */
const behindTheClock = (now: Date) =>
  or(
    and(eq(jitRequests.status, "pending"), lte(jitRequests.pendingUntil, now)),
    and(inArray(jitRequests.status, ["approved", "active"]), lte(jitRequests.expiresAt, now)),
    and(eq(jitRequests.status, "approved"), lte(jitRequests.startsAt, now)),
  );

/**
 * Catches up every request behind the clock, one transaction each: after
 * downtime, or if a scheduled job was lost. Effective access never waited
 * for this (it is computed from the window); the sweep records what happened
 * and tells downstream systems.
 */
export async function sweepRequests(db: Db, now = new Date()): Promise<{ settled: number }> {
  let settled = 0;
  for (;;) {
    const due = await db.select({ id: jitRequests.id }).from(jitRequests).where(behindTheClock(now)).limit(200);
    if (due.length === 0) return { settled };
    for (const { id } of due) {
      await auditedTransaction(db, (tx) => settleRequest(tx, id, now));
      settled++;
    }
  }
}

/** Tells the requester their window closes soon, if it is still open. */
export async function remindExpiry(db: Db, requestId: string, now = new Date()) {
  return auditedTransaction(db, async (tx) => {
    const [request] = await tx.select().from(jitRequests).where(eq(jitRequests.id, requestId));
    if (!request || !["approved", "active"].includes(request.status) || !request.expiresAt || request.expiresAt <= now) return { sent: 0 };
    const { entitlementName } = await describe(tx, request);
    const minutes = Math.max(1, Math.round((request.expiresAt.getTime() - now.getTime()) / 60_000));
    const sent = await notify(tx, await requesterRecipients(tx, request), {
      kind: "jit.expiring",
      title: `${entitlementName} expires in ${minutes} minute${minutes === 1 ? "" : "s"}`,
      body: "Finish up, or release it now if you are done.",
      link: requestLink(request.id),
    });
    return { sent };
  });
}

/** The grant window a request's status depends on, as SQL for lists. */
export const activeJitGrant = sql`(${grants.type} = 'jit' and ${grantIsActive})`;
