import { and, asc, count, desc, eq, gte, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import { alias, type PgSelect } from "drizzle-orm/pg-core";
import type { Tx } from "@/db/client";
import { outer } from "@/db/rows";
import {
  eligibilityPolicies,
  entitlements,
  findings,
  grants,
  identities,
  jitApprovals,
  jitDisplayStatus,
  jitRequests,
  systems,
  usageDaily,
  usageRollups,
  identityPrivilegeLevel,
} from "@/db/schema";
import { hasRole, type Caller } from "@/lib/caller";
import { ForbiddenError, parseInput, withoutBlanks } from "@/lib/errors";
import { escalationEvidence } from "@/lib/escalation/read";
import { likePattern, offsetOf, paged } from "@/lib/paging";
import { REQUEST_OVERSEERS, visibleRequests } from "./access";
import { requestListQuery, type RequestListQuery } from "./schemas";

const subject = alias(identities, "subject");
const requester = alias(identities, "requester");

const tally = (decision: "approve" | "deny") =>
  sql<number>`(select count(*) from ${jitApprovals} a where a.request_id = ${outer(jitRequests.id)} and a.decision = ${decision})`.mapWith(Number);

/** What every list row shows about a request. */
export const requestColumns = {
  id: jitRequests.id,
  status: jitDisplayStatus,
  storedStatus: jitRequests.status,
  identityId: jitRequests.identityId,
  identityName: subject.displayName,
  identityKind: subject.kind,
  requesterId: jitRequests.requesterId,
  requesterName: requester.displayName,
  entitlementId: jitRequests.entitlementId,
  entitlementName: entitlements.name,
  privilegeLevel: entitlements.privilegeLevel,
  systemName: systems.name,
  policyId: jitRequests.policyId,
  policyName: eligibilityPolicies.name,
  durationMinutes: jitRequests.durationMinutes,
  requestedStartAt: jitRequests.requestedStartAt,
  startsAt: jitRequests.startsAt,
  expiresAt: jitRequests.expiresAt,
  pendingUntil: jitRequests.pendingUntil,
  justification: jitRequests.justification,
  ticket: jitRequests.ticket,
  breakGlass: jitRequests.breakGlass,
  activation: jitRequests.activation,
  postReviewStatus: jitRequests.postReviewStatus,
  approvalsRequired: jitRequests.approvalsRequired,
  approvals: tally("approve"),
  denials: tally("deny"),
  approverIds: jitRequests.approverIds,
  grantId: jitRequests.grantId,
  createdAt: jitRequests.createdAt,
  endedAt: jitRequests.endedAt,
  endReason: jitRequests.endReason,
};

const OPEN = ["pending", "approved", "active"] as const;

function scopeFilter(caller: Caller, q: RequestListQuery): SQL | undefined {
  const me = caller.identityId;
  if (q.scope === "mine") return caller.token ? eq(jitRequests.identityId, me) : or(eq(jitRequests.requesterId, me), eq(jitRequests.identityId, me));
  if (q.scope === "approvals") {
    if (caller.token) throw new ForbiddenError("Tokens do not approve; list the NHI's own requests.");
    const mine = sql`${me}::uuid = any(${jitRequests.approverIds})`;
    if (q.postReview === "1") {
      // Break-glass uses to confirm: approvers named on the request, or anyone in the approver group.
      const reviewer = hasRole(caller, "approver", "admin") ? undefined : mine;
      return and(
        eq(jitRequests.breakGlass, true),
        eq(jitRequests.postReviewStatus, "pending"),
        reviewer,
        sql`${jitRequests.identityId} <> ${me} and ${jitRequests.requesterId} <> ${me}`,
      );
    }
    return and(
      mine,
      eq(jitRequests.status, "pending"),
      sql`${jitRequests.pendingUntil} > now()`,
      sql`not exists (select 1 from ${jitApprovals} a where a.request_id = ${jitRequests.id} and a.approver_id = ${me})`,
    );
  }
  return visibleRequests(caller);
}

function filters(q: RequestListQuery): (SQL | undefined)[] {
  const where: (SQL | undefined)[] = [];
  if (q.status === "open") where.push(inArray(jitRequests.status, [...OPEN]), sql`${jitDisplayStatus} in ('pending', 'approved', 'active')`);
  else if (q.status) where.push(sql`${jitDisplayStatus} = ${q.status}`);
  if (q.breakGlass === "1") where.push(eq(jitRequests.breakGlass, true));
  if (q.breakGlass === "0") where.push(eq(jitRequests.breakGlass, false));
  if (q.identityId) where.push(eq(jitRequests.identityId, q.identityId));
  if (q.entitlementId) where.push(eq(jitRequests.entitlementId, q.entitlementId));
  if (q.from) where.push(gte(jitRequests.createdAt, q.from));
  if (q.to) where.push(lt(jitRequests.createdAt, q.to));
  if (q.q) {
    const p = likePattern(q.q);
    where.push(
      or(
        sql`${subject.name} ilike ${p}`,
        sql`${subject.displayName} ilike ${p}`,
        sql`${entitlements.name} ilike ${p}`,
        sql`${systems.name} ilike ${p}`,
        sql`${jitRequests.justification} ilike ${p}`,
        sql`${jitRequests.ticket} ilike ${p}`,
      ),
    );
  }
  return where;
}

/** The joins every request list reads through. */
export function joined<T extends PgSelect>(qb: T) {
  return qb
    .innerJoin(subject, eq(subject.id, jitRequests.identityId))
    .innerJoin(requester, eq(requester.id, jitRequests.requesterId))
    .innerJoin(entitlements, eq(entitlements.id, jitRequests.entitlementId))
    .innerJoin(systems, eq(systems.id, entitlements.systemId))
    .innerJoin(eligibilityPolicies, eq(eligibilityPolicies.id, jitRequests.policyId));
}

export type RequestRow = Awaited<ReturnType<typeof listRequests>>["rows"][number];

/**
 * Requests, paginated on the server: the caller's own (`mine`), those waiting
 * for the caller's decision (`approvals`, most urgent first, with the context
 * to decide), or every request the caller may see (`all`), searchable long
 * after they ended.
 */
export async function listRequests(db: Tx, caller: Caller, raw: unknown) {
  const q = parseInput(requestListQuery, withoutBlanks(raw));
  const where = and(scopeFilter(caller, q), ...filters(q));
  const order = q.scope === "approvals" && q.postReview !== "1" ? [asc(jitRequests.pendingUntil)] : [desc(jitRequests.createdAt), desc(jitRequests.id)];
  const [rows, [{ n }]] = await Promise.all([
    joined(db.select(requestColumns).from(jitRequests).$dynamic())
      .where(where)
      .orderBy(...order)
      .limit(q.pageSize)
      .offset(offsetOf(q)),
    joined(db.select({ n: count() }).from(jitRequests).$dynamic()).where(where),
  ]);
  const withContext = q.scope === "approvals" ? await approvalContext(db, rows) : rows.map((r) => ({ ...r, context: null }));
  return { ...paged(withContext, n, q), scope: q.scope };
}

/**
 * What an approver needs beside the request: the identity's use of this
 * entitlement (last use, 30 and 90 days), its past requests for it, and its
 * open findings. Computed for the page's rows only.
 */
async function approvalContext<T extends { id: string; identityId: string; entitlementId: string }>(db: Tx, rows: T[]) {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const context = await db
    .select({
      id: jitRequests.id,
      lastUsedAt: usageRollups.lastUsedAt,
      uses30d:
        sql<number>`(select coalesce(sum(d.success_count), 0) from ${usageDaily} d where d.identity_id = ${jitRequests.identityId} and d.entitlement_id = ${jitRequests.entitlementId} and d.day > current_date - 30)`.mapWith(
          Number,
        ),
      uses90d:
        sql<number>`(select coalesce(sum(d.success_count), 0) from ${usageDaily} d where d.identity_id = ${jitRequests.identityId} and d.entitlement_id = ${jitRequests.entitlementId} and d.day > current_date - 90)`.mapWith(
          Number,
        ),
      pastRequests:
        sql<number>`(select count(*) from ${jitRequests} p where p.identity_id = ${jitRequests.identityId} and p.entitlement_id = ${jitRequests.entitlementId} and p.id <> ${jitRequests.id} and p.created_at > now() - interval '90 days')`.mapWith(
          Number,
        ),
      pastDenied:
        sql<number>`(select count(*) from ${jitRequests} p where p.identity_id = ${jitRequests.identityId} and p.entitlement_id = ${jitRequests.entitlementId} and p.status = 'denied' and p.created_at > now() - interval '90 days')`.mapWith(
          Number,
        ),
      pastBreakGlass:
        sql<number>`(select count(*) from ${jitRequests} p where p.identity_id = ${jitRequests.identityId} and p.break_glass and p.created_at > now() - interval '90 days')`.mapWith(
          Number,
        ),
      openFindings: sql<number>`(select count(*) from ${findings} f where f.identity_id = ${jitRequests.identityId} and f.status = 'open')`.mapWith(Number),
      identityLevel: identityPrivilegeLevel(sql`${jitRequests.identityId}`),
      standingGrants:
        sql<number>`(select count(*) from ${grants} g where g.identity_id = ${jitRequests.identityId} and g.type = 'standing' and g.revoked_at is null)`.mapWith(
          Number,
        ),
    })
    .from(jitRequests)
    .leftJoin(usageRollups, and(eq(usageRollups.identityId, jitRequests.identityId), eq(usageRollups.entitlementId, jitRequests.entitlementId)))
    .where(inArray(jitRequests.id, ids));
  const evidence = await escalationEvidence(
    db,
    rows.map((r) => r.identityId),
  );
  const byId = new Map(context.map(({ id, ...c }) => [id, c]));
  return rows.map((r) => {
    const c = byId.get(r.id);
    return { ...r, context: c ? { ...c, escalation: evidence.get(r.identityId) ?? null } : null };
  });
}

/** How many decisions wait for the caller (the navigation badge). */
export async function pendingApprovalCount(db: Tx, caller: Caller): Promise<number> {
  if (caller.token || !hasRole(caller, ...REQUEST_OVERSEERS, "owner", "reviewer", "requester")) return 0;
  const me = caller.identityId;
  const [{ n }] = await db
    .select({ n: count() })
    .from(jitRequests)
    .where(
      and(
        sql`${me}::uuid = any(${jitRequests.approverIds})`,
        eq(jitRequests.status, "pending"),
        sql`${jitRequests.pendingUntil} > now()`,
        sql`not exists (select 1 from ${jitApprovals} a where a.request_id = ${jitRequests.id} and a.approver_id = ${me})`,
      ),
    );
  return n;
}
