import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { accessEvents, grants, jitRequests, notifications, remediations, type PrivilegeLevel } from "@/db/schema";
import { makeCaller, makeEntitlement, makeSystem } from "@/lib/testing/harness";
import type { Caller } from "@/lib/caller";
import { decideRequest } from "./decide";
import { createPolicy } from "./policies";
import { createRequest } from "./request";
import type { PolicyInput } from "./schemas";

/**
 * A requester made eligible by name for one entitlement of a system of its
 * own, three named approvers and an admin; policy terms can be overridden.
 */
export async function jitOrg(db: Db, terms: Partial<PolicyInput> = {}, opts: { level?: PrivilegeLevel } = {}) {
  const admin = await makeCaller(db, ["admin"]);
  const approvers = [await makeCaller(db, ["approver"]), await makeCaller(db, ["approver"]), await makeCaller(db, ["approver"])];
  const requester = await makeCaller(db, ["requester"]);
  const outsider = await makeCaller(db, ["requester"]);
  const system = await makeSystem(db);
  const entitlement = await makeEntitlement(db, { systemId: system.id, level: opts.level ?? "privileged" });
  const policy = await createPolicy(db, admin, {
    name: "Production database superuser",
    entitlementId: entitlement.id,
    identityIds: [requester.identityId],
    maxDurationMinutes: 240,
    defaultDurationMinutes: 60,
    approvalsRequired: 1,
    approverMode: "named",
    approverIds: approvers.map((a) => a.identityId),
    requireJustification: true,
    ...terms,
  });
  return { admin, approvers, requester, outsider, system, entitlement, policy };
}

export const asking = (entitlementId: string, extra: Record<string, unknown> = {}) => ({
  entitlementId,
  justification: "Investigate the failed ledger migration",
  ...extra,
});

export async function requestRow(db: Db, id: string) {
  const [row] = await db.select().from(jitRequests).where(eq(jitRequests.id, id));
  return row;
}

export async function grantRow(db: Db, id: string) {
  const [row] = await db.select().from(grants).where(eq(grants.id, id));
  return row;
}

export const eventsFor = (db: Db, grantId: string) => db.select().from(accessEvents).where(eq(accessEvents.grantId, grantId)).orderBy(accessEvents.id);
export const remediationsFor = (db: Db, grantId: string) => db.select().from(remediations).where(eq(remediations.grantId, grantId));
export const noticesFor = (db: Db, recipientId: string) => db.select().from(notifications).where(eq(notifications.recipientId, recipientId));

/** Moves a request's window (and its grant's) into the past, as if time passed while nobody looked. */
export async function windowEndedAgo(db: Db, requestId: string, minutes: number) {
  const r = await requestRow(db, requestId);
  const end = new Date(Date.now() - minutes * 60_000);
  const start = new Date(end.getTime() - r.durationMinutes * 60_000);
  await db.update(jitRequests).set({ startsAt: start, expiresAt: end }).where(eq(jitRequests.id, requestId));
  if (r.grantId) await db.update(grants).set({ startsAt: start, expiresAt: end }).where(eq(grants.id, r.grantId));
}

/**
 * A request approved now whose window (and grant) ends `seconds` from now:
 * policies allow 15 minutes at least, and tests of what a target does at the
 * end want seconds.
 */
export async function approvedFor(db: Db, org: { requester: Caller; approvers: Caller[]; entitlement: { id: string } }, seconds: number) {
  const r = await createRequest(db, org.requester, asking(org.entitlement.id, { durationMinutes: 15 }));
  await decideRequest(db, org.approvers[0], r.id, "approve", {});
  const row = await requestRow(db, r.id);
  const end = new Date(Date.now() + seconds * 1000);
  await db.update(jitRequests).set({ expiresAt: end }).where(eq(jitRequests.id, r.id));
  await db.update(grants).set({ expiresAt: end }).where(eq(grants.id, row.grantId!));
  return { id: r.id, grantId: row.grantId!, end };
}
