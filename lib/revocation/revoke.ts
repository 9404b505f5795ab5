import { and, inArray, isNull } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { grants, remediations, type RevocationSource } from "@/db/schema";
import { recordAudit, type Actor } from "@/lib/audit/record";
import { emitAccessEvents } from "./outbox";

export type Revocation = {
  source: RevocationSource;
  /** The decision, attestation, request or lifecycle event that asked for it. */
  sourceRef?: string;
  /** Per-grant references where each grant had its own (one review item each). */
  sourceRefs?: ReadonlyMap<string, string>;
  reason: string;
};

/**
 * The one revocation path: ends each live grant, opens a remediation that tracks
 * it until the target system confirms, emits one access event for enforcement
 * and audits it, all in the caller's transaction. Grants already ended are
 * skipped, so a retried operation never revokes twice.
 *
 * It does not check authorization: callers (campaign decisions, attestations,
 * JIT, lifecycle) decide who may revoke, then call this.
 */
export async function revokeGrants(tx: Tx, actor: Actor, grantIds: string[], revocation: Revocation) {
  if (grantIds.length === 0) return [];
  const now = new Date();
  const ended = await tx
    .update(grants)
    .set({ revokedAt: now, revokedById: actor.id, revokeReason: revocation.reason, updatedAt: now })
    .where(and(inArray(grants.id, [...new Set(grantIds)]), isNull(grants.revokedAt)))
    .returning();
  if (ended.length === 0) return [];
  const refOf = (grantId: string) => revocation.sourceRefs?.get(grantId) ?? revocation.sourceRef ?? null;
  await tx.insert(remediations).values(
    ended.map((g) => ({
      grantId: g.id,
      identityId: g.identityId,
      entitlementId: g.entitlementId,
      source: revocation.source,
      sourceRef: refOf(g.id),
    })),
  );
  await emitAccessEvents(
    tx,
    ended.map((g) => ({
      type: "grant.revoked",
      grantId: g.id,
      payload: {
        grantId: g.id,
        identityId: g.identityId,
        entitlementId: g.entitlementId,
        source: revocation.source,
        sourceRef: refOf(g.id),
        reason: revocation.reason,
        revokedAt: now.toISOString(),
      },
    })),
  );
  await recordAudit(
    tx,
    actor,
    ended.map((g) => ({
      action: "grant.revoked",
      entityType: "grant",
      entityId: g.id,
      before: { revokedAt: null },
      after: { revokedAt: now, reason: revocation.reason, source: revocation.source, sourceRef: refOf(g.id), identityId: g.identityId },
    })),
  );
  return ended;
}
