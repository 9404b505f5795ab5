import { and, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { attestations, grants, identities, jitRequests } from "@/db/schema";
import { isOpenAttestation } from "@/lib/attestation/policy";
import { handOffOpenReviews } from "@/lib/certification/hand-off";
import { recordAudit, type Actor } from "@/lib/audit/record";
import { revokeSessionsOf } from "@/lib/auth/sessions";
import { requestCredentialWork } from "@/lib/credentials/tasks";
import { notify } from "@/lib/notifications/notify";
import { revokeGrants } from "@/lib/revocation/revoke";
import { closeWindow } from "@/lib/jit/window";
import { activeManagerId } from "./manager";

export type LeaverOutcome = {
  sessionsEnded: number;
  grantsRevoked: number;
  jitEnded: number;
  requestsCancelled: number;
  reviewsReassigned: number;
  nhisRehomed: { identityId: string; name: string; to: string | null; as: "owner" | "backup" }[];
  credentialTasks: number;
};

/**
 * Everything a person leaving takes with them, in the caller's transaction
 * and through the one revocation path: standing and eligible grants end,
 * active JIT windows are revoked, pending requests cancelled, their open
 * review items go to each campaign's fallback reviewer, every NHI they owned
 * goes to its backup owner (or their manager) with an attestation due now
 * and is listed with the orphans until attested, and the credentials of those
 * NHIs get rotation tasks. Their sign-in sessions end first. Running it again
 * finds nothing left to do.
 */
export async function processLeaver(tx: Tx, actor: Actor, personId: string, ref: string): Promise<LeaverOutcome> {
  const now = new Date();
  const [person] = await tx.select().from(identities).where(eq(identities.id, personId)).for("update");
  const reason = `${person.displayName} left (${ref})`;

  // Signed-in sessions end with the person (resolveCaller refuses the inactive too; this records it).
  const sessionsEnded = await revokeSessionsOf(tx, actor, personId, `offboarded (${ref})`, now);

  // Requests still waiting: cancelled. Open windows: revoked through the JIT path.
  const cancelled = await tx
    .update(jitRequests)
    .set({ status: "cancelled", endedAt: now, endReason: "The requester left", updatedAt: now })
    .where(and(or(eq(jitRequests.identityId, personId), eq(jitRequests.requesterId, personId)), eq(jitRequests.status, "pending")))
    .returning({ id: jitRequests.id });
  if (cancelled.length) {
    await recordAudit(
      tx,
      actor,
      cancelled.map((r) => ({
        action: "jit.cancelled",
        entityType: "jit_request",
        entityId: r.id,
        before: { status: "pending" },
        after: { status: "cancelled", reason: "The requester left" },
      })),
    );
  }
  const open = await tx
    .select()
    .from(jitRequests)
    .where(and(eq(jitRequests.identityId, personId), inArray(jitRequests.status, ["approved", "active"])));
  for (const r of open) await closeWindow(tx, actor, r, { status: "revoked", reason, endedById: actor.id }, now);

  // Every other live grant, eligibility included.
  const live = await tx
    .select({ id: grants.id })
    .from(grants)
    .where(and(eq(grants.identityId, personId), isNull(grants.revokedAt)));
  const ended = await revokeGrants(
    tx,
    actor,
    live.map((g) => g.id),
    { source: "lifecycle", sourceRef: ref, reason },
  );

  // Their review work moves to each campaign's fallback reviewer (or its owner).
  const items = await handOffOpenReviews(tx, actor, personId, "reviewer left");

  // NHIs they owned go to their backup owner while that person is active, else
  // to the leaver's manager; set-based, so a prolific owner costs one statement.
  const managerId = await activeManagerId(tx, person.managerId);
  const liveBackup = sql`(${identities.backupOwnerId} <> ${personId} and exists (select 1 from ${identities} b where b.id = ${identities.backupOwnerId} and b.status = 'active'))`;
  const owned = await tx
    .update(identities)
    .set({
      ownerId: sql`case when ${liveBackup} then ${identities.backupOwnerId} else ${managerId}::uuid end`,
      backupOwnerId: sql`case when ${liveBackup} then null else ${identities.backupOwnerId} end`,
      rehomedFromId: personId,
      rehomedAt: now,
      nextAttestationAt: now,
      updatedAt: now,
    })
    .where(and(eq(identities.ownerId, personId), eq(identities.status, "active")))
    .returning({ id: identities.id, name: identities.name, to: identities.ownerId });
  const nhiIds = owned.map((n) => n.id);
  if (nhiIds.length) {
    // An open attestation follows the new owner and starts over.
    await tx
      .update(attestations)
      .set({
        ownerId: sql`(select i.owner_id from ${identities} i where i.id = ${attestations.identityId})`,
        status: "pending",
        dueAt: now,
        escalationLevel: 0,
        escalatedToId: null,
        updatedAt: now,
      })
      .where(and(inArray(attestations.identityId, nhiIds), isOpenAttestation));
  }
  const rehomed: LeaverOutcome["nhisRehomed"] = owned.map((n) => ({ identityId: n.id, name: n.name, to: n.to, as: "owner" }));
  const backedUp = await tx
    .update(identities)
    .set({ backupOwnerId: null, updatedAt: now })
    .where(and(eq(identities.backupOwnerId, personId), eq(identities.status, "active")))
    .returning({ id: identities.id, name: identities.name });
  for (const b of backedUp) rehomed.push({ identityId: b.id, name: b.name, to: null, as: "backup" });
  if (rehomed.length) {
    await recordAudit(
      tx,
      actor,
      rehomed.map((r) => ({
        action: r.as === "owner" ? "identity.owner_reassigned" : "identity.backup_owner_removed",
        entityType: "identity",
        entityId: r.identityId,
        before: r.as === "owner" ? { ownerId: personId } : { backupOwnerId: personId },
        after: r.as === "owner" ? { ownerId: r.to, reason, nextAttestationAt: now } : { backupOwnerId: null, reason },
      })),
    );
    const byOwner = new Map<string, string[]>();
    for (const n of owned) if (n.to) byOwner.set(n.to, [...(byOwner.get(n.to) ?? []), n.name]);
    for (const [owner, names] of byOwner) {
      await notify(tx, [owner], {
        kind: "attestation.rehomed",
        title: `${names.length} non-human identit${names.length === 1 ? "y is" : "ies are"} now yours to attest`,
        body: `${person.displayName} left. Confirm each is still needed, its purpose and its backup owner: ${names.slice(0, 5).join(", ")}${names.length > 5 ? "…" : ""}`,
        link: "/attestations",
      });
    }
  }

  // The secrets those NHIs hold were known to someone who left: rotate them
  // (asked of each NHI's new owner, just set above).
  const tasks = await requestCredentialWork(tx, actor, nhiIds, {
    kind: "rotate",
    reason: `Owner left: ${person.displayName}`,
    source: "lifecycle",
    sourceRef: ref,
  });

  return {
    sessionsEnded,
    grantsRevoked: ended.length,
    jitEnded: open.length,
    requestsCancelled: cancelled.length,
    reviewsReassigned: items.length,
    nhisRehomed: rehomed,
    credentialTasks: tasks.length,
  };
}
