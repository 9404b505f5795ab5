import { eq } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { identities } from "@/db/schema";
import { type Actor, recordAudit } from "@/lib/audit/record";
import { createGrants } from "@/lib/grants/decisions";

/*
 * What every importer writes the same way: grants it found held, identities
 * it found changed or gone, each audited with its source.
 */

/**
 * Standing grants an import found held in a system, each with the decision
 * "imported" (`ref`: the source and the system, `reason` in words) and an
 * audit entry naming the source. The importers' one way to record access
 * they saw rather than approved.
 */
export async function createImportedGrants(
  tx: Tx,
  actor: Actor,
  /** `startsAt`: since when the system says it is held (default: the import's time). */
  held: { identityId: string; entitlementId: string; startsAt?: Date }[],
  from: { source: string; ref: string; reason: string; at: Date },
) {
  const decision = { kind: "imported" as const, ref: from.ref, decidedById: actor.id, decidedAt: from.at, reason: from.reason };
  const added = await createGrants(
    tx,
    held.map((g) => ({ grant: { ...g, type: "standing" as const, startsAt: g.startsAt && g.startsAt < from.at ? g.startsAt : from.at }, decision })),
  );
  await recordAudit(
    tx,
    actor,
    added.map((g) => ({
      action: "grant.created",
      entityType: "grant",
      entityId: g.id,
      after: { identityId: g.identityId, entitlementId: g.entitlementId, provenance: "imported", source: from.source },
    })),
  );
  return added;
}

/** Applies an import's changes to an identity it found different, audited with the identity's values before them. */
export async function updateImportedIdentity(
  tx: Tx,
  actor: Actor,
  // Its values before the changes: those the changes name are audited as they were.
  current: Pick<typeof identities.$inferSelect, "id"> & Partial<typeof identities.$inferSelect>,
  changes: Partial<typeof identities.$inferInsert>,
  source: string,
  at: Date,
) {
  await tx
    .update(identities)
    .set({ ...changes, updatedAt: at })
    .where(eq(identities.id, current.id));
  await recordAudit(tx, actor, {
    action: "identity.updated",
    entityType: "identity",
    entityId: current.id,
    before: Object.fromEntries(Object.keys(changes).map((k) => [k, (current as Record<string, unknown>)[k] ?? null])),
    after: { ...changes, source },
  });
}

/** An identity the system no longer has: decommissioned (its grants end with the import's revocations), audited with why. */
export async function decommissionImportedIdentity(tx: Tx, actor: Actor, identity: { id: string; status: string }, reason: string, source: string, at: Date) {
  await tx.update(identities).set({ status: "decommissioned", updatedAt: at }).where(eq(identities.id, identity.id));
  await recordAudit(tx, actor, {
    action: "identity.decommissioned",
    entityType: "identity",
    entityId: identity.id,
    before: { status: identity.status },
    after: { status: "decommissioned", reason, source },
  });
}
