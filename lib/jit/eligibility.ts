import { and, asc, desc, eq, inArray, isNull, sql, type AnyColumn, type SQL } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { outer, queryRows } from "@/db/rows";
import { eligibilityPolicies, entitlements, grants, identities, jitRequests, systems, teamMembers } from "@/db/schema";

/**
 * Live eligibility a policy issued to one identity by name: an `eligible`
 * grant the policy issued, inside its own window. What kind of grant it is and
 * which policy issued it never change, whatever decisions (certification,
 * attestation) are recorded about it later.
 */
export const namedEligibility = (identityId: SQL | string, policyId: SQL) => sql`exists (
  select 1 from ${grants} eg where eg.identity_id = ${identityId} and eg.entitlement_id = ${outer(eligibilityPolicies.entitlementId)}
    and eg.type = 'eligible' and eg.policy_id = ${policyId}
    and eg.revoked_at is null and eg.starts_at <= now() and (eg.expires_at is null or eg.expires_at > now()))`;

/** In one of these teams: the primary team, or any membership the identity provider states. */
const inTeams = (teams: AnyColumn) => sql<boolean>`((${identities.teamId} is not null and ${identities.teamId} = any(${teams}))
  or exists (select 1 from ${teamMembers} tm where tm.identity_id = ${outer(identities.id)} and tm.team_id = any(${teams})))`;

/** True when the policy makes this identity (joined as `identities`) eligible, by team or by name. */
const coversIdentity = sql`(${inTeams(eligibilityPolicies.teamIds)} or ${namedEligibility(outer(identities.id), outer(eligibilityPolicies.id))})`;

const autoApproves = sql<boolean>`(${eligibilityPolicies.autoApproveAll} or ${inTeams(eligibilityPolicies.autoApproveTeamIds)})`;

export type ApplicablePolicy = typeof eligibilityPolicies.$inferSelect & { autoApprove: boolean; via: "team" | "named" };

/**
 * The policies under which an active identity may request an entitlement,
 * most favourable first: auto-approval, then fewest approvals, then the longest
 * window. A request uses the first (the first allowing break-glass for one).
 */
export async function applicablePolicies(db: Tx, identityId: string, entitlementId: string): Promise<ApplicablePolicy[]> {
  const rows = await db
    .select({
      policy: eligibilityPolicies,
      autoApprove: autoApproves,
      byTeam: inTeams(eligibilityPolicies.teamIds),
    })
    .from(eligibilityPolicies)
    .innerJoin(identities, eq(identities.id, identityId))
    .where(and(eq(eligibilityPolicies.entitlementId, entitlementId), isNull(eligibilityPolicies.archivedAt), eq(identities.status, "active"), coversIdentity))
    .orderBy(desc(autoApproves), asc(eligibilityPolicies.approvalsRequired), desc(eligibilityPolicies.maxDurationMinutes), asc(eligibilityPolicies.createdAt));
  return rows.map((r) => ({ ...r.policy, autoApprove: r.autoApprove, via: r.byTeam ? "team" : "named" }));
}

export type Eligibility = Awaited<ReturnType<typeof listEligibility>>[number];

/**
 * Everything an identity may request, one row per entitlement with the terms
 * of its most favourable policy, whether break-glass is possible, and the
 * open request if there is one.
 */
export async function listEligibility(db: Tx, identityId: string) {
  const rows = await db
    .select({
      policyId: eligibilityPolicies.id,
      policyName: eligibilityPolicies.name,
      entitlementId: entitlements.id,
      entitlementName: entitlements.name,
      entitlementDescription: entitlements.description,
      privilegeLevel: entitlements.privilegeLevel,
      systemId: systems.id,
      systemName: systems.name,
      maxDurationMinutes: eligibilityPolicies.maxDurationMinutes,
      defaultDurationMinutes: eligibilityPolicies.defaultDurationMinutes,
      approvalsRequired: eligibilityPolicies.approvalsRequired,
      approverMode: eligibilityPolicies.approverMode,
      requireJustification: eligibilityPolicies.requireJustification,
      requireTicket: eligibilityPolicies.requireTicket,
      pendingTimeoutMinutes: eligibilityPolicies.pendingTimeoutMinutes,
      breakGlass: eligibilityPolicies.breakGlass,
      breakGlassMaxMinutes: eligibilityPolicies.breakGlassMaxMinutes,
      autoApprove: autoApproves,
    })
    .from(eligibilityPolicies)
    .innerJoin(identities, eq(identities.id, identityId))
    .innerJoin(entitlements, eq(entitlements.id, eligibilityPolicies.entitlementId))
    .innerJoin(systems, eq(systems.id, entitlements.systemId))
    .where(and(isNull(eligibilityPolicies.archivedAt), eq(identities.status, "active"), coversIdentity))
    .orderBy(
      systems.name,
      entitlements.name,
      desc(autoApproves),
      asc(eligibilityPolicies.approvalsRequired),
      desc(eligibilityPolicies.maxDurationMinutes),
      asc(eligibilityPolicies.createdAt),
    );

  const entitlementIds = [...new Set(rows.map((r) => r.entitlementId))];
  const open =
    entitlementIds.length === 0
      ? []
      : await db
          .select({
            id: jitRequests.id,
            entitlementId: jitRequests.entitlementId,
            status: jitRequests.status,
            expiresAt: jitRequests.expiresAt,
            startsAt: jitRequests.startsAt,
            pendingUntil: jitRequests.pendingUntil,
          })
          .from(jitRequests)
          .where(
            and(
              eq(jitRequests.identityId, identityId),
              inArray(jitRequests.entitlementId, entitlementIds),
              inArray(jitRequests.status, ["pending", "approved", "active"]),
            ),
          );
  const now = Date.now();
  const openBy = new Map(
    open
      // A window that has passed (or a pending deadline) no longer blocks a new request.
      .filter((o) => (o.status === "pending" ? o.pendingUntil.getTime() > now : !o.expiresAt || o.expiresAt.getTime() > now))
      .map((o) => [o.entitlementId, o]),
  );

  const byEntitlement = new Map<
    string,
    (typeof rows)[number] & { breakGlassPolicy: boolean; breakGlassMaxMinutes: number; openRequest: (typeof open)[number] | null }
  >();
  for (const r of rows) {
    const seen = byEntitlement.get(r.entitlementId);
    if (!seen) {
      byEntitlement.set(r.entitlementId, {
        ...r,
        breakGlassPolicy: r.breakGlass,
        breakGlassMaxMinutes: r.breakGlass ? r.breakGlassMaxMinutes : 0,
        openRequest: openBy.get(r.entitlementId) ?? null,
      });
    } else if (r.breakGlass && !seen.breakGlassPolicy) {
      seen.breakGlassPolicy = true;
      seen.breakGlassMaxMinutes = r.breakGlassMaxMinutes;
    }
  }
  return [...byEntitlement.values()].map(({ breakGlass: _b, ...r }) => ({ ...r, breakGlass: r.breakGlassPolicy }));
}

/** Active people holding a role, for approver sets. */
export async function peopleWithRole(db: Tx, role: "approver" | "admin"): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`select i.id from role_assignments ra join identities i on i.id = ra.identity_id
        where ra.role = ${role} and i.kind = 'human' and i.status = 'active' order by i.id`,
  );
  return rows.map((r) => r.id);
}

/** What the caller (a person, or an NHI through its token) may request. */
export async function myEligibility(db: Tx, caller: { identityId: string }) {
  return { eligibility: await listEligibility(db, caller.identityId) };
}
