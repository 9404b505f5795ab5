import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import type { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { eligibilityPolicies, entitlements, grants, identities } from "@/db/schema";
import { type Actor, auditedTransaction, recordAudit } from "@/lib/audit/record";
import { actorOf, requireRole, type Caller } from "@/lib/caller";
import { NotFoundError, ValidationError, parseInput } from "@/lib/errors";
import { createGrants } from "@/lib/grants/decisions";
import { revokeGrants } from "@/lib/revocation/revoke";
import { applicablePolicies } from "./eligibility";
import { convertInput } from "./schemas";

type Policy = typeof eligibilityPolicies.$inferSelect;

/** The entitlement's first live policy, or a conservative new one: one approval, up to 8 hours, justification required. */
async function defaultPolicy(tx: Tx, actor: Actor, entitlement: { id: string; name: string }, createdById: string): Promise<Policy> {
  const [existing] = await tx
    .select()
    .from(eligibilityPolicies)
    .where(and(eq(eligibilityPolicies.entitlementId, entitlement.id), isNull(eligibilityPolicies.archivedAt)))
    .orderBy(asc(eligibilityPolicies.createdAt))
    .limit(1);
  if (existing) return existing;
  const [created] = await tx
    .insert(eligibilityPolicies)
    .values({
      name: `Just-in-time ${entitlement.name}`,
      description: "Created when standing privilege was removed.",
      entitlementId: entitlement.id,
      maxDurationMinutes: 480,
      defaultDurationMinutes: 60,
      approvalsRequired: 1,
      createdById,
    })
    .returning();
  await recordAudit(tx, actor, {
    action: "eligibility_policy.created",
    entityType: "eligibility_policy",
    entityId: created.id,
    after: { ...created, reason: "standing privilege removed" },
  });
  return created;
}

/**
 * "Remove standing privilege": each standing grant ends through the
 * revocation path and its holder becomes eligible to request the same
 * entitlement just in time, under the given policy or the entitlement's
 * default one. All or nothing.
 */
export async function convertStandingToEligible(db: Db, caller: Caller, raw: unknown) {
  requireRole(caller, "admin");
  const input = parseInput(convertInput, raw);
  return auditedTransaction(db, (tx) => convertInTransaction(tx, caller, input));
}

/** The conversion in the caller's transaction (a findings action converts as part of its own). */
export async function convertInTransaction(tx: Tx, caller: Caller, input: z.output<typeof convertInput>) {
  requireRole(caller, "admin");
  const grantIds = [...new Set(input.grantIds)];
  const rows = await tx
    .select({ grant: grants, entitlementName: entitlements.name, identityStatus: identities.status })
    .from(grants)
    .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
    .innerJoin(identities, eq(identities.id, grants.identityId))
    .where(inArray(grants.id, grantIds))
    .for("update", { of: grants });
  if (rows.length !== grantIds.length) throw new NotFoundError("Grant");
  const notStanding = rows.filter((r) => r.grant.type !== "standing" || r.grant.revokedAt);
  if (notStanding.length)
    throw new ValidationError({
      grantIds: [`${notStanding.length} of these ${notStanding.length === 1 ? "is not a live standing grant" : "are not live standing grants"}.`],
    });
  if (rows.some((r) => r.identityStatus !== "active"))
    throw new ValidationError({ grantIds: ["Only active identities become eligible; revoke the others' access instead."] });

  let given: Policy | null = null;
  if (input.policyId) {
    [given] = await tx.select().from(eligibilityPolicies).where(eq(eligibilityPolicies.id, input.policyId));
    if (!given || given.archivedAt) throw new ValidationError({ policyId: ["No such live policy."] });
    if (rows.some((r) => r.grant.entitlementId !== given!.entitlementId))
      throw new ValidationError({ policyId: ["The policy covers another entitlement than some of these grants."] });
  }
  const actor = actorOf(caller);
  const policies = new Map<string, Policy>();
  for (const r of rows) {
    if (!policies.has(r.grant.entitlementId))
      policies.set(r.grant.entitlementId, given ?? (await defaultPolicy(tx, actor, { id: r.grant.entitlementId, name: r.entitlementName }, caller.identityId)));
  }
  const now = new Date();
  const converted: { grantId: string; eligibleGrantId: string | null; policyId: string }[] = [];
  for (const r of rows) {
    const policy = policies.get(r.grant.entitlementId)!;
    // Someone already eligible under the policy (by team, say) keeps that and gets no second grant.
    const already = (await applicablePolicies(tx, r.grant.identityId, r.grant.entitlementId)).some((p) => p.id === policy.id);
    let eligibleGrantId: string | null = null;
    if (!already) {
      const [eligible] = await createGrants(tx, [
        {
          grant: { identityId: r.grant.identityId, entitlementId: r.grant.entitlementId, type: "eligible", policyId: policy.id, startsAt: now },
          decision: {
            kind: "policy",
            ref: policy.id,
            decidedById: caller.identityId,
            decidedAt: now,
            reason: `Standing access converted to eligibility under “${policy.name}”`,
          },
        },
      ]);
      eligibleGrantId = eligible.id;
    }
    converted.push({ grantId: r.grant.id, eligibleGrantId, policyId: policy.id });
  }
  const reason = input.reason ? `Standing privilege removed: ${input.reason}` : "Standing privilege removed: converted to just-in-time eligibility";
  await revokeGrants(tx, actor, grantIds, { source: "admin", sourceRefs: new Map(converted.map((c) => [c.grantId, c.policyId])), reason });
  await recordAudit(
    tx,
    actor,
    converted.map((c) => ({
      action: "grant.converted_to_eligibility",
      entityType: "grant",
      entityId: c.grantId,
      after: { policyId: c.policyId, eligibleGrantId: c.eligibleGrantId },
    })),
  );
  return { converted: converted.length, policies: [...new Set(converted.map((c) => c.policyId))] };
}
