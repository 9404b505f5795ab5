import { and, asc, count, eq, inArray, isNull, sql } from "drizzle-orm";
import { activePeopleAmong } from "@/lib/identities/people";
import { credentialConnectorKinds } from "@/lib/connectors/kinds";
import { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { outer } from "@/db/rows";
import {
  connectors,
  eligibilityPolicies,
  entitlements,
  grants,
  identities,
  issuesCredential,
  jitRequests,
  systems,
  teams,
  type ActivationMode,
} from "@/db/schema";
import { type Actor, auditedTransaction, diff, recordAudit } from "@/lib/audit/record";
import { actorOf, hasRole, requireRole, type Caller } from "@/lib/caller";
import { ConflictError, NotFoundError, ValidationError, parseInput, type FieldErrors } from "@/lib/errors";
import { createGrants } from "@/lib/grants/decisions";
import { revokeGrants } from "@/lib/revocation/revoke";
import { eligibleIdentitiesInput, policyInput, policyPatch } from "./schemas";
import { settleApprovalNotices } from "./window";

type Policy = typeof eligibilityPolicies.$inferSelect;

const POLICY_READERS = ["admin", "auditor", "approver"] as const;

async function checkReferences(
  tx: Tx,
  p: { entitlementId?: string; teamIds?: string[]; autoApproveTeamIds?: string[]; approverIds?: string[]; identityIds?: string[]; autoApproveAll?: boolean },
) {
  const errors: FieldErrors = {};
  let entitlement: { id: string; name: string; level: string } | undefined;
  if (p.entitlementId) {
    [entitlement] = await tx
      .select({ id: entitlements.id, name: entitlements.name, level: entitlements.privilegeLevel })
      .from(entitlements)
      .where(eq(entitlements.id, p.entitlementId));
    if (!entitlement) errors.entitlementId = ["No such entitlement."];
  }
  const allTeams = [...new Set([...(p.teamIds ?? []), ...(p.autoApproveTeamIds ?? [])])];
  if (allTeams.length) {
    // Shared locks: a team being deleted meanwhile either waits for this policy (and then refuses, naming it) or is gone before it is checked.
    const found = new Set((await tx.select({ id: teams.id }).from(teams).where(inArray(teams.id, allTeams)).for("share")).map((t) => t.id));
    if (p.teamIds?.some((t) => !found.has(t))) errors.teamIds = ["Every team must exist."];
    if (p.autoApproveTeamIds?.some((t) => !found.has(t))) errors.autoApproveTeamIds = ["Every auto-approved team must exist."];
  }
  if (p.approverIds?.length) {
    const ok = await activePeopleAmong(tx, p.approverIds);
    if (ok.size !== new Set(p.approverIds).size) errors.approverIds = ["Every approver must be an active person."];
  }
  if (p.identityIds?.length) {
    const ok = await tx
      .select({ id: identities.id })
      .from(identities)
      .where(and(inArray(identities.id, p.identityIds), eq(identities.status, "active")));
    if (ok.length !== new Set(p.identityIds).size) errors.identityIds = ["Every eligible identity must exist and be active."];
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return entitlement;
}

// Admin-level access is never self-service for everyone: it needs a person, or an on-call team.
/** A credential is issued by the PostgreSQL, SSH or directory connector of the entitlement's system: a policy cannot ask for one where there is none. */
async function checkActivation(tx: Tx, entitlementId: string, activation: ActivationMode) {
  if (!issuesCredential(activation)) return;
  const [found] = await tx
    .select({ id: connectors.id })
    .from(connectors)
    .innerJoin(entitlements, eq(entitlements.systemId, connectors.systemId))
    .where(and(eq(entitlements.id, entitlementId), inArray(connectors.kind, credentialConnectorKinds), eq(connectors.enabled, 1)))
    .limit(1);
  if (!found)
    throw new ValidationError({
      activation: [
        "Short-lived credentials are issued by a PostgreSQL, SSH or directory (LDAP) connector; this entitlement's system has none enabled. Add one, or grant membership.",
      ],
    });
}

function checkAutoApproval(level: string | undefined, autoApproveAll: boolean | undefined) {
  if (level === "admin" && autoApproveAll) {
    throw new ValidationError({
      autoApproveAll: ["Admin-level access is never auto-approved for everyone: auto-approve a team (on-call) or require an approval."],
    });
  }
}

/**
 * Issues `eligible` grants from the policy to identities not yet eligible
 * under it. They are the named eligibility: reviewed in campaigns, ended by
 * the revocation path.
 */
async function issueEligibility(tx: Tx, actor: Actor, policy: Policy, identityIds: string[], opts: { approvedById: string | null; expiresAt?: Date }) {
  if (identityIds.length === 0) return [];
  const existing = await tx
    .select({ identityId: grants.identityId })
    .from(grants)
    .where(and(inArray(grants.identityId, identityIds), eq(grants.policyId, policy.id), isNull(grants.revokedAt)));
  const have = new Set(existing.map((e) => e.identityId));
  const now = new Date();
  const fresh = [...new Set(identityIds)].filter((id) => !have.has(id));
  if (fresh.length === 0) return [];
  const decision = {
    kind: "policy" as const,
    ref: policy.id,
    decidedById: opts.approvedById,
    decidedAt: now,
    reason: `Named in the eligibility policy “${policy.name}”`,
  };
  const created = await createGrants(
    tx,
    fresh.map((identityId) => ({
      grant: {
        identityId,
        entitlementId: policy.entitlementId,
        type: "eligible" as const,
        policyId: policy.id,
        startsAt: now,
        expiresAt: opts.expiresAt ?? null,
      },
      decision,
    })),
  );
  await recordAudit(
    tx,
    actor,
    created.map((g) => ({
      action: "grant.created",
      entityType: "grant",
      entityId: g.id,
      after: {
        type: "eligible",
        provenance: "policy",
        policyId: policy.id,
        identityId: g.identityId,
        entitlementId: policy.entitlementId,
        expiresAt: opts.expiresAt ?? null,
      },
    })),
  );
  return created;
}

/** Admins define who may request an entitlement just in time, and on what terms. */
/** A policy's terms as one comparable value: lists as sets, so order does not make two policies differ. */
function termsOf(p: Omit<z.output<typeof policyInput>, "name" | "description" | "identityIds">, eligible: string[]) {
  const set = (xs: readonly string[]) => [...new Set(xs)].sort();
  return JSON.stringify([
    p.entitlementId,
    set(p.teamIds),
    set(eligible),
    p.maxDurationMinutes,
    p.defaultDurationMinutes,
    p.approvalsRequired,
    p.approverMode,
    set(p.approverIds),
    p.denyEndsRequest,
    p.requireJustification,
    p.requireTicket,
    p.autoApproveAll,
    set(p.autoApproveTeamIds),
    p.pendingTimeoutMinutes,
    p.breakGlass,
    p.breakGlassMaxMinutes,
    p.activation,
    set(p.sourceAddresses),
  ]);
}

/**
 * A second live policy with exactly the terms of one that exists (the same
 * entitlement, the same people and teams, the same approval and duration
 * rules) adds nothing but confusion about which one granted what: refused,
 * naming the one that exists.
 */
async function refuseTwin(tx: Tx, input: z.output<typeof policyInput>) {
  const live = await tx
    .select()
    .from(eligibilityPolicies)
    .where(and(eq(eligibilityPolicies.entitlementId, input.entitlementId), isNull(eligibilityPolicies.archivedAt)));
  if (live.length === 0) return;
  const wanted = termsOf(input, input.identityIds);
  for (const p of live) {
    const named = await tx
      .select({ identityId: grants.identityId })
      .from(grants)
      .where(and(eq(grants.policyId, p.id), isNull(grants.revokedAt)));
    if (
      termsOf(
        p,
        named.map((n) => n.identityId),
      ) === wanted
    )
      throw new ConflictError(`The policy “${p.name}” already grants exactly this: the same entitlement, people, teams and terms. Change that one instead.`);
  }
}

export async function createPolicy(db: Db, caller: Caller, raw: unknown) {
  requireRole(caller, "admin");
  const input = parseInput(policyInput, raw);
  return auditedTransaction(db, async (tx) => {
    const entitlement = await checkReferences(tx, input);
    await refuseTwin(tx, input);
    checkAutoApproval(entitlement?.level, input.autoApproveAll);
    await checkActivation(tx, input.entitlementId, input.activation);
    const { identityIds, ...fields } = input;
    const [policy] = await tx
      .insert(eligibilityPolicies)
      .values({ ...fields, createdById: caller.identityId })
      .returning();
    const actor = actorOf(caller);
    await recordAudit(tx, actor, { action: "eligibility_policy.created", entityType: "eligibility_policy", entityId: policy.id, after: input });
    await issueEligibility(tx, actor, policy, identityIds, { approvedById: caller.identityId });
    return policy;
  });
}

async function lockPolicy(tx: Tx, id: string) {
  if (!z.uuid().safeParse(id).success) throw new NotFoundError("Policy");
  const [policy] = await tx.select().from(eligibilityPolicies).where(eq(eligibilityPolicies.id, id)).for("update");
  if (!policy) throw new NotFoundError("Policy");
  return policy;
}

/** Changes a policy's terms. Requests already made keep the terms they were made under. */
export async function updatePolicy(db: Db, caller: Caller, id: string, raw: unknown) {
  requireRole(caller, "admin");
  const patch = parseInput(policyPatch, raw);
  return auditedTransaction(db, async (tx) => {
    const policy = await lockPolicy(tx, id);
    if (policy.archivedAt) throw new ConflictError("This policy is retired; create a new one.");
    const { archivedAt: _a, createdAt: _c, updatedAt: _u, createdById: _b, id: _i, ...current } = policy;
    const merged = parseInput(policyInput, { ...current, description: current.description ?? undefined, ...patch, identityIds: [] });
    const [entitlement] = await tx.select({ level: entitlements.privilegeLevel }).from(entitlements).where(eq(entitlements.id, policy.entitlementId));
    await checkReferences(tx, patch);
    checkAutoApproval(entitlement?.level, merged.autoApproveAll);
    if (patch.activation !== undefined) await checkActivation(tx, policy.entitlementId, merged.activation);
    const { identityIds: _ids, entitlementId: _e, ...fields } = merged;
    const change = diff(policy as unknown as Record<string, unknown>, fields);
    if (!change.changed) return policy;
    const [updated] = await tx
      .update(eligibilityPolicies)
      .set({ ...fields, updatedAt: new Date() })
      .where(eq(eligibilityPolicies.id, id))
      .returning();
    await recordAudit(tx, actorOf(caller), {
      action: "eligibility_policy.updated",
      entityType: "eligibility_policy",
      entityId: id,
      before: change.before,
      after: change.after,
    });
    return updated;
  });
}

/**
 * Retires a policy: its named eligibility ends through the revocation path and
 * its pending requests are cancelled. Windows already open run to their end.
 */
export async function archivePolicy(db: Db, caller: Caller, id: string) {
  requireRole(caller, "admin");
  return auditedTransaction(db, async (tx) => {
    const policy = await lockPolicy(tx, id);
    if (policy.archivedAt) return policy;
    const now = new Date();
    const actor = actorOf(caller);
    const named = await tx
      .select({ id: grants.id })
      .from(grants)
      .where(and(eq(grants.policyId, policy.id), isNull(grants.revokedAt)));
    await revokeGrants(
      tx,
      actor,
      named.map((g) => g.id),
      { source: "admin", sourceRef: policy.id, reason: `Eligibility policy “${policy.name}” retired` },
    );
    const cancelled = await tx
      .update(jitRequests)
      .set({ status: "cancelled", endedAt: now, endedById: caller.identityId, endReason: "The eligibility policy was retired", updatedAt: now })
      .where(and(eq(jitRequests.policyId, policy.id), eq(jitRequests.status, "pending")))
      .returning({ id: jitRequests.id });
    for (const r of cancelled) await settleApprovalNotices(tx, r.id);
    const [archived] = await tx.update(eligibilityPolicies).set({ archivedAt: now, updatedAt: now }).where(eq(eligibilityPolicies.id, id)).returning();
    await recordAudit(tx, actor, [
      {
        action: "eligibility_policy.archived",
        entityType: "eligibility_policy",
        entityId: id,
        before: { archivedAt: null },
        after: { archivedAt: now, eligibilityEnded: named.length, requestsCancelled: cancelled.length },
      },
      ...cancelled.map((r) => ({
        action: "jit.cancelled" as const,
        entityType: "jit_request",
        entityId: r.id,
        before: { status: "pending" },
        after: { status: "cancelled", reason: "The eligibility policy was retired" },
      })),
    ]);
    return archived;
  });
}

/** Makes named identities eligible under a policy, optionally until a date. */
export async function addEligibleIdentities(db: Db, caller: Caller, id: string, raw: unknown) {
  requireRole(caller, "admin");
  const input = parseInput(eligibleIdentitiesInput, raw);
  if (input.expiresAt && input.expiresAt <= new Date()) throw new ValidationError({ expiresAt: ["The end of eligibility must be in the future."] });
  return auditedTransaction(db, async (tx) => {
    const policy = await lockPolicy(tx, id);
    if (policy.archivedAt) throw new ConflictError("This policy is retired.");
    await checkReferences(tx, { identityIds: input.identityIds });
    const created = await issueEligibility(tx, actorOf(caller), policy, input.identityIds, { approvedById: caller.identityId, expiresAt: input.expiresAt });
    return { added: created.length, alreadyEligible: new Set(input.identityIds).size - created.length };
  });
}

/** Ends one identity's named eligibility under a policy (through the revocation path). */
export async function removeEligibleIdentity(db: Db, caller: Caller, id: string, identityId: string) {
  requireRole(caller, "admin");
  if (!z.uuid().safeParse(identityId).success) throw new NotFoundError("Eligibility");
  return auditedTransaction(db, async (tx) => {
    const policy = await lockPolicy(tx, id);
    const live = await tx
      .select({ id: grants.id })
      .from(grants)
      .where(and(eq(grants.identityId, identityId), eq(grants.policyId, policy.id), isNull(grants.revokedAt)));
    if (live.length === 0) throw new NotFoundError("Eligibility");
    const ended = await revokeGrants(
      tx,
      actorOf(caller),
      live.map((g) => g.id),
      { source: "admin", sourceRef: policy.id, reason: `Removed from eligibility policy “${policy.name}”` },
    );
    return { removed: ended.length };
  });
}

const namedCount = sql<number>`(select count(*) from ${grants} g where g.policy_id = ${outer(eligibilityPolicies.id)} and g.revoked_at is null)`.mapWith(
  Number,
);
const recentRequests =
  sql<number>`(select count(*) from ${jitRequests} r where r.policy_id = ${outer(eligibilityPolicies.id)} and r.created_at > now() - interval '30 days')`.mapWith(
    Number,
  );

/** Every policy with its entitlement and how much it is used. */
export async function listPolicies(db: Tx, caller: Caller, opts: { includeArchived?: boolean } = {}) {
  requireRole(caller, ...POLICY_READERS);
  const rows = await db
    .select({
      policy: eligibilityPolicies,
      entitlementName: entitlements.name,
      privilegeLevel: entitlements.privilegeLevel,
      systemName: systems.name,
      namedEligible: namedCount,
      requests30d: recentRequests,
    })
    .from(eligibilityPolicies)
    .innerJoin(entitlements, eq(entitlements.id, eligibilityPolicies.entitlementId))
    .innerJoin(systems, eq(systems.id, entitlements.systemId))
    .where(opts.includeArchived ? undefined : isNull(eligibilityPolicies.archivedAt))
    .orderBy(sql`${eligibilityPolicies.archivedAt} is not null`, systems.name, entitlements.name, asc(eligibilityPolicies.name));
  const teamNames = new Map((await db.select({ id: teams.id, name: teams.name }).from(teams)).map((t) => [t.id, t.name]));
  return rows.map((r) => ({
    ...r,
    teams: r.policy.teamIds.map((t) => teamNames.get(t) ?? "?"),
    autoApproveTeams: r.policy.autoApproveTeamIds.map((t) => teamNames.get(t) ?? "?"),
  }));
}

/** One policy, who it makes eligible by name, and the standing grants it could replace. */
export async function getPolicy(db: Tx, caller: Caller, id: string) {
  requireRole(caller, ...POLICY_READERS);
  if (!z.uuid().safeParse(id).success) throw new NotFoundError("Policy");
  const [row] = await db
    .select({ policy: eligibilityPolicies, entitlementName: entitlements.name, privilegeLevel: entitlements.privilegeLevel, systemName: systems.name })
    .from(eligibilityPolicies)
    .innerJoin(entitlements, eq(entitlements.id, eligibilityPolicies.entitlementId))
    .innerJoin(systems, eq(systems.id, entitlements.systemId))
    .where(eq(eligibilityPolicies.id, id));
  if (!row) throw new NotFoundError("Policy");
  const identityCols = { identityId: identities.id, name: identities.name, displayName: identities.displayName, kind: identities.kind };
  const [named, standing, [{ requests }]] = await Promise.all([
    db
      .select({ grantId: grants.id, ...identityCols, since: grants.startsAt, until: grants.expiresAt })
      .from(grants)
      .innerJoin(identities, eq(identities.id, grants.identityId))
      .where(and(eq(grants.policyId, id), isNull(grants.revokedAt)))
      .orderBy(identities.displayName),
    db
      .select({ grantId: grants.id, ...identityCols, since: grants.startsAt })
      .from(grants)
      .innerJoin(identities, eq(identities.id, grants.identityId))
      .where(and(eq(grants.entitlementId, row.policy.entitlementId), eq(grants.type, "standing"), isNull(grants.revokedAt), eq(identities.status, "active")))
      .orderBy(identities.displayName)
      .limit(500),
    db.select({ requests: count() }).from(jitRequests).where(eq(jitRequests.policyId, id)),
  ]);
  const teamRows = await db.select({ id: teams.id, name: teams.name }).from(teams).orderBy(teams.name);
  const teamName = new Map(teamRows.map((t) => [t.id, t.name]));
  return {
    ...row,
    teams: row.policy.teamIds.map((t) => ({ id: t, name: teamName.get(t) ?? "?" })),
    autoApproveTeams: row.policy.autoApproveTeamIds.map((t) => ({ id: t, name: teamName.get(t) ?? "?" })),
    named,
    standing,
    requests,
    canEdit: hasRole(caller, "admin") && !row.policy.archivedAt,
  };
}

/** Choices for the policy form: entitlements by system, teams and active people. */
export async function policyFormOptions(db: Tx) {
  const [entitlementRows, teamRows, people] = await Promise.all([
    db
      .select({ id: entitlements.id, name: entitlements.name, privilegeLevel: entitlements.privilegeLevel, systemName: systems.name })
      .from(entitlements)
      .innerJoin(systems, eq(systems.id, entitlements.systemId))
      .orderBy(systems.name, entitlements.name),
    db.select({ id: teams.id, name: teams.name }).from(teams).orderBy(teams.name),
    db
      .select({ id: identities.id, name: identities.displayName })
      .from(identities)
      .where(and(eq(identities.kind, "human"), eq(identities.status, "active")))
      .orderBy(identities.displayName),
  ]);
  return { entitlements: entitlementRows, teams: teamRows, people };
}
