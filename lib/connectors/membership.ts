import { and, eq, isNull, ne } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { auditedTransaction } from "@/lib/audit/record";
import {
  entitlements,
  grantIsActive,
  grants,
  grantsMembership,
  identities,
  issuedCredentials,
  issuesCredential,
  jitRequests,
  type ActivationMode,
} from "@/db/schema";
import type { TargetNaming } from "./target-state";
import type { AccessEventRow, ConnectorRow, DeliveryResult } from "./types";

/** One grant's change as a membership target sees it: the names it uses, and what the grant's activation does. */
export type MembershipChange = {
  group: string;
  member: string;
  grantId: string | null;
  /** The grant makes its holder's own account a member. */
  membership: boolean;
  /** The grant has its own account (a credential), valid until its stored end. */
  credential: boolean;
};

/**
 * A target enforcing grants as memberships (database roles, directory
 * groups): `activate` makes the grant usable (validUntil: its end as stored
 * now, which the target then enforces by itself for a credential), `revoke`
 * takes it away (keepMembership: another live grant still holds the holder's
 * membership, so only the grant's own account goes). Both must be safe to
 * repeat.
 */
export type MembershipTarget = {
  naming: TargetNaming;
  activate(tx: Tx, change: MembershipChange, validUntil: Date | null): Promise<Record<string, unknown>>;
  revoke(db: Db, change: MembershipChange, keepMembership: boolean): Promise<Record<string, unknown>>;
};

/** What activating a grant does in the target: from its JIT request, else (standing grants) membership. */
async function activationOf(db: Db, grantId: string | undefined): Promise<ActivationMode> {
  if (!grantId) return "membership";
  const [row] = await db.select({ activation: jitRequests.activation }).from(jitRequests).where(eq(jitRequests.grantId, grantId));
  return row?.activation ?? "membership";
}

/**
 * Carries out one access event in a membership target: a grant becoming
 * active is added, a grant ending is removed unless another live grant still
 * holds the same membership. Deliveries arrive in no set order: an activation
 * reaching the target after its grant ended (and after its removal was
 * delivered) must not bring the access back, so it holds the grant row locked
 * while the target changes (a revocation committing meanwhile waits, and its
 * own delivery, queued after its commit, comes later) and is skipped if the
 * grant is no longer live.
 */
export async function deliverMembership(db: Db, connector: ConnectorRow, event: AccessEventRow, target: MembershipTarget): Promise<DeliveryResult> {
  if (event.type !== "grant.activated" && event.type !== "grant.revoked") return { effect: "ignored" };
  const payload = event.payload as { grantId?: string; identityId?: string; entitlementId?: string };
  if (!payload.identityId || !payload.entitlementId) return { effect: "ignored" };
  const [row] = await db
    .select({
      identity: { externalId: identities.externalId, name: identities.name },
      entitlement: { externalRef: entitlements.externalRef, name: entitlements.name, systemId: entitlements.systemId },
    })
    .from(identities)
    .innerJoin(entitlements, eq(entitlements.id, payload.entitlementId))
    .where(eq(identities.id, payload.identityId));
  if (!row || row.entitlement.systemId !== connector.systemId) return { effect: "ignored", detail: { reason: "not this connector's system" } };
  const mode = await activationOf(db, payload.grantId);
  const change: MembershipChange = {
    group: target.naming.group(row.entitlement),
    member: target.naming.member(row.identity),
    grantId: payload.grantId ?? null,
    membership: grantsMembership(mode),
    credential: issuesCredential(mode) && !!payload.grantId,
  };
  const base = { group: change.group, activation: mode };
  if (event.type === "grant.activated")
    return auditedTransaction(db, async (tx) => {
      const [grant] = payload.grantId
        ? await tx
            .select({ expiresAt: grants.expiresAt })
            .from(grants)
            .where(and(eq(grants.id, payload.grantId), grantIsActive))
            .for("share")
        : [{ expiresAt: null }];
      if (!grant) return { effect: "skipped", detail: { ...base, reason: "the grant ended before its activation was delivered" } };
      // A credential needs an end for the target to enforce; a grant without one gets membership only.
      const detail = await target.activate(tx, { ...change, credential: change.credential && !!grant.expiresAt }, grant.expiresAt);
      return { effect: "granted", detail: { ...base, ...detail } };
    });
  let keep = false;
  if (change.membership) {
    const [still] = await db
      .select({ id: grants.id })
      .from(grants)
      .where(
        and(
          eq(grants.identityId, payload.identityId),
          eq(grants.entitlementId, payload.entitlementId),
          payload.grantId ? ne(grants.id, payload.grantId) : undefined,
          grantIsActive,
        ),
      )
      .limit(1);
    keep = !!still;
  }
  if (keep && !change.credential) return { effect: "kept", detail: { ...base, member: change.member, reason: "another live grant holds it" } };
  const detail = await target.revoke(db, change, keep);
  return keep
    ? { effect: "kept", detail: { ...base, ...detail, kept: "another live grant holds the membership" } }
    : { effect: "revoked", detail: { ...base, ...detail } };
}

/** The grant's issued credential is recorded as gone from the target (its account was removed). */
export async function markCredentialRemoved(db: Db | Tx, grantId: string) {
  const now = new Date();
  await db
    .update(issuedCredentials)
    .set({ removedAt: now, updatedAt: now })
    .where(and(eq(issuedCredentials.grantId, grantId), isNull(issuedCredentials.removedAt)));
}
