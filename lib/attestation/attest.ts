import { randomUUID } from "node:crypto";
import { and, eq, gt, isNull, or } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { attestations, grants, identities } from "@/db/schema";
import { auditedTransaction, diff, recordAudit, type Actor, type AuditEntry } from "@/lib/audit/record";
import { actorOf, requireDecider, type Caller } from "@/lib/caller";
import { ForbiddenError, ValidationError, parseInput } from "@/lib/errors";
import { requestCredentialWork } from "@/lib/credentials/tasks";
import { revokeGrants } from "@/lib/revocation/revoke";
import { assertLiveNhi, assertVisible, attestRelation, cadenceOf, loadNhiForChange, nextAttestationFrom, optionalPersonId, ownerErrors } from "./policy";
import { text } from "@/lib/validation/fields";

const yesNo = z.preprocess(
  (v) => (v === "true" || v === "yes" ? true : v === "false" || v === "no" ? false : v),
  z.boolean({ message: "Answer whether this identity is still needed: yes or no." }),
);

export const attestationInput = z
  .object({
    stillNeeded: yesNo,
    purpose: z
      .string({ message: "Describe what this identity is for." })
      .trim()
      .min(3, "Describe the purpose in at least 3 characters.")
      .max(500, "Keep the purpose under 500 characters."),
    ownerId: optionalPersonId("Owner"),
    backupOwnerId: optionalPersonId("Backup owner"),
    comment: text({ message: "The comment must be text." }).trim().max(1000, "Keep the comment under 1,000 characters.").optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.stillNeeded === false && (v.comment ?? "").length < 3) {
      ctx.addIssue({ code: "custom", path: ["comment"], message: "Say why this identity is no longer needed; the comment is kept as evidence." });
    }
  });
export type AttestationInput = z.input<typeof attestationInput>;

type Loaded = Awaited<ReturnType<typeof loadNhiForChange>>;
type Input = z.output<typeof attestationInput>;

/**
 * The owner's statement about one NHI. "Still needed" confirms or corrects its
 * owner, backup owner and purpose and schedules the next attestation; "not
 * needed" decommissions it through the revocation path. The owner, the backup
 * owner, the person it was escalated to and admins may attest; nobody else.
 */
export async function attest(db: Db, caller: Caller, identityId: string, rawInput: unknown) {
  requireDecider(caller);
  return auditedTransaction(db, async (tx) => {
    const loaded = await loadNhiForChange(tx, identityId);
    const { identity, open } = loaded;
    if (!attestRelation(caller, identity, open)) {
      await assertVisible(tx, caller, identityId);
      if (identity.kind !== "human")
        throw new ForbiddenError("Only this identity's owner, its backup owner, the person it was escalated to, or an admin may attest it.");
    }
    assertLiveNhi(identity, "attest");
    const input = parseInput(attestationInput, rawInput);
    return input.stillNeeded ? confirm(tx, caller, loaded, input) : decommission(tx, caller, loaded, input);
  });
}

async function confirm(tx: Tx, caller: Caller, { identity, open }: Loaded, input: Input) {
  const next = {
    ownerId: input.ownerId !== undefined ? input.ownerId : identity.ownerId,
    backupOwnerId: input.backupOwnerId !== undefined ? input.backupOwnerId : identity.backupOwnerId,
  };
  const errors = await ownerErrors(tx, next);
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);

  const now = new Date();
  // Attesting is what takes a re-homed NHI off the orphan list.
  const change = {
    ...next,
    purpose: input.purpose,
    lastAttestedAt: now,
    nextAttestationAt: nextAttestationFrom(now, await cadenceOf(tx, identity.kind)),
    rehomedFromId: null,
    rehomedAt: null,
  };
  const [updated] = await tx
    .update(identities)
    .set({ ...change, updatedAt: now })
    .where(eq(identities.id, identity.id))
    .returning();
  const attestation = await closeOrInsert(tx, identity, open, {
    status: "attested",
    ownerId: next.ownerId,
    attestedAt: now,
    attestedById: caller.identityId,
    stillNeeded: true,
    purpose: input.purpose,
    comment: input.comment || null,
  });
  const d = diff(identity as Record<string, unknown>, change);
  const actor = actorOf(caller);
  await recordAudit(tx, actor, [
    { action: "identity.attested", entityType: "identity", entityId: identity.id, before: d.before, after: { ...d.after, attestationId: attestation.id } },
    attestationAudit(attestation, open),
  ]);
  return { identity: updated, attestation, revokedGrants: 0, credentialsQueued: 0 };
}

async function decommission(tx: Tx, caller: Caller, { identity, open }: Loaded, input: Input) {
  const now = new Date();
  const attestationId = open?.id ?? randomUUID();
  const actor: Actor = actorOf(caller);
  const revocation = { source: "attestation" as const, sourceRef: attestationId, reason: `Decommissioned at attestation: ${input.comment}` };

  // Every grant that is or could become usable ends, including eligibility
  // and JIT windows that have not started yet; expired grants already ended.
  const live = await tx
    .select({ id: grants.id })
    .from(grants)
    .where(and(eq(grants.identityId, identity.id), isNull(grants.revokedAt), or(isNull(grants.expiresAt), gt(grants.expiresAt, now))));
  const revoked = await revokeGrants(
    tx,
    actor,
    live.map((g) => g.id),
    revocation,
  );
  const queued = await requestCredentialWork(tx, actor, [identity.id], { kind: "revoke", ...revocation, sourceRef: attestationId });

  const change = { status: "decommissioned" as const, purpose: input.purpose, lastAttestedAt: now, nextAttestationAt: null };
  const [updated] = await tx
    .update(identities)
    .set({ ...change, updatedAt: now })
    .where(eq(identities.id, identity.id))
    .returning();
  const attestation = await closeOrInsert(
    tx,
    identity,
    open,
    {
      status: "decommissioned",
      ownerId: identity.ownerId,
      attestedAt: now,
      attestedById: caller.identityId,
      stillNeeded: false,
      purpose: input.purpose,
      comment: input.comment ?? null,
    },
    attestationId,
  );
  const d = diff(identity as Record<string, unknown>, change);
  await recordAudit(tx, actor, [
    {
      action: "identity.decommissioned",
      entityType: "identity",
      entityId: identity.id,
      before: d.before,
      after: {
        ...d.after,
        attestationId,
        revokedGrantIds: revoked.map((g) => g.id),
        credentialIdsToRevoke: queued.map((c) => c.credentialId),
        comment: input.comment,
      },
    },
    attestationAudit(attestation, open),
  ]);
  return { identity: updated, attestation, revokedGrants: revoked.length, credentialsQueued: queued.length };
}

type Outcome = Pick<typeof attestations.$inferInsert, "status" | "ownerId" | "attestedAt" | "attestedById" | "stillNeeded" | "purpose" | "comment">;

// An open (possibly escalated) request is completed in place, so it stops
// showing as escalated and keeps its escalation level as evidence; without one
// the statement is recorded as a new row.
async function closeOrInsert(tx: Tx, identity: Loaded["identity"], open: Loaded["open"], outcome: Outcome, id: string = randomUUID()) {
  const now = new Date();
  if (open) {
    const [row] = await tx
      .update(attestations)
      .set({ ...outcome, updatedAt: now })
      .where(eq(attestations.id, open.id))
      .returning();
    return row;
  }
  const [row] = await tx
    .insert(attestations)
    .values({ id, identityId: identity.id, dueAt: identity.nextAttestationAt ?? now, ...outcome })
    .returning();
  return row;
}

function attestationAudit(row: typeof attestations.$inferSelect, open: Loaded["open"]): AuditEntry {
  return {
    action: "attestation.recorded",
    entityType: "attestation",
    entityId: row.id,
    before: open ? { status: open.status, escalationLevel: open.escalationLevel, escalatedToId: open.escalatedToId } : null,
    after: {
      identityId: row.identityId,
      status: row.status,
      stillNeeded: row.stillNeeded,
      ownerId: row.ownerId,
      purpose: row.purpose,
      comment: row.comment,
      dueAt: row.dueAt,
    },
  };
}
