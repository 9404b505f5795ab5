import { and, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "@/db/client";
import { DEFAULT_ATTESTATION_INTERVAL_DAYS, attestationPolicies, attestations, identities, nonHumanKinds } from "@/db/schema";
import { activePeopleAmong } from "@/lib/identities/people";
import { hasRole, visibleIdentities, type Caller } from "@/lib/caller";
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from "@/lib/errors";

// The attestation cadence and escalation ladder live here and nowhere else, so
// the list, the attest action and the escalation job can never disagree.
/** The default cadence: a kind of NHI no admin has set a policy for is attested this often. */
export const ATTESTATION_INTERVAL_DAYS = DEFAULT_ATTESTATION_INTERVAL_DAYS;
/** "Due" in the owner's list: overdue, never scheduled, or due within this many days. */
export const DUE_SOON_DAYS = 30;
/** By default owners are reminded this many days before an NHI's attestation is due, and on the day it falls overdue (0). */
export const ATTESTATION_REMINDER_DAYS = [14, 3, 0] as const;
export const ESCALATE_TO_MANAGER_AFTER_DAYS = 14;
export const ESCALATE_TO_ADMINS_AFTER_DAYS = 28;

const DAY_MS = 86_400_000;
export const daysAfter = (from: Date, days: number) => new Date(from.getTime() + days * DAY_MS);
export const nextAttestationFrom = (attestedAt: Date, cadence: Pick<AttestationCadence, "intervalDays">) => daysAfter(attestedAt, cadence.intervalDays);

/** One kind of NHI's attestation policy: how often, and when its owner is reminded (days before the due date, 0 the due day). */
export type AttestationCadence = { intervalDays: number; reminderDays: number[] };
export const DEFAULT_CADENCE: AttestationCadence = { intervalDays: ATTESTATION_INTERVAL_DAYS, reminderDays: [...ATTESTATION_REMINDER_DAYS] };

/** One kind's cadence. */
export async function cadenceOf(tx: Tx, kind: string): Promise<AttestationCadence> {
  const [p] = await tx
    .select()
    .from(attestationPolicies)
    .where(eq(attestationPolicies.kind, kind as (typeof nonHumanKinds)[number]));
  return p ? { intervalDays: p.intervalDays, reminderDays: p.reminderDays } : DEFAULT_CADENCE;
}

/** Every kind of NHI's cadence: the admins' policy where one is set, the default otherwise. */
export async function loadCadences(tx: Tx): Promise<Map<string, AttestationCadence & { custom: boolean }>> {
  const set = new Map((await tx.select().from(attestationPolicies)).map((p) => [p.kind as string, p]));
  return new Map(
    nonHumanKinds.map((kind) => {
      const p = set.get(kind);
      return [kind, p ? { intervalDays: p.intervalDays, reminderDays: p.reminderDays, custom: true } : { ...DEFAULT_CADENCE, custom: false }];
    }),
  );
}

/** An attestation request still waiting for its owner (possibly escalated). */
export const isOpenAttestation = inArray(attestations.status, ["pending", "escalated"]);

const uuid = z.uuid();

/** How the caller stands to an NHI for attesting it; null when they may not. */
export type AttestRelation = "admin" | "owner" | "backup" | "escalated";

export function attestRelation(
  caller: Caller,
  identity: { ownerId: string | null; backupOwnerId: string | null },
  open: { escalatedToId: string | null } | null,
): AttestRelation | null {
  if (identity.ownerId === caller.identityId) return "owner";
  if (identity.backupOwnerId === caller.identityId) return "backup";
  if (open?.escalatedToId && open.escalatedToId === caller.identityId) return "escalated";
  if (hasRole(caller, "admin")) return "admin";
  return null;
}

/**
 * Loads an identity for a change with its open attestation request, locked for
 * the rest of the transaction so two statements about one NHI (or a statement
 * and the escalation job) never interleave. Who may act is the caller's check.
 */
export async function loadNhiForChange(tx: Tx, identityId: string) {
  if (!uuid.safeParse(identityId).success) throw new NotFoundError("Identity");
  const [identity] = await tx.select().from(identities).where(eq(identities.id, identityId)).for("update");
  if (!identity) throw new NotFoundError("Identity");
  const [open] = await tx
    .select()
    .from(attestations)
    .where(and(eq(attestations.identityId, identityId), isOpenAttestation))
    .orderBy(sql`${attestations.createdAt} desc`)
    .limit(1);
  return { identity, open: open ?? null };
}

/**
 * For a caller with no right to act on an identity: one they cannot even see
 * is not found, exactly as if it did not exist; the caller then answers 403.
 */
export async function assertVisible(tx: Tx, caller: Caller, identityId: string) {
  const [seen] = await tx
    .select({ id: identities.id })
    .from(identities)
    .where(and(eq(identities.id, identityId), visibleIdentities(caller)));
  if (!seen) throw new NotFoundError("Identity");
}

const refusals = {
  attest: {
    human: "Only non-human identities are attested by their owners; people are reviewed in certification campaigns.",
    decommissioned: "This identity is already decommissioned; there is nothing left to attest.",
  },
  reassign: {
    human: "Only non-human identities have an owner to reassign; a person's manager is changed on their page.",
    decommissioned: "This identity is decommissioned; it needs no owner any more.",
  },
};

/** People are refused as invalid input (422); a retired NHI as a conflict with its state (409). */
export function assertLiveNhi(identity: { kind: string; status: string }, action: keyof typeof refusals) {
  const say = refusals[action];
  if (identity.kind === "human") throw new ValidationError({ identityId: [say.human] }, say.human);
  if (identity.status === "decommissioned") throw new ConflictError(say.decommissioned);
}

/**
 * The owner must be an active person other than the backup owner; a backup
 * owner, when there is one, must be an active person too. Checked on the values
 * the NHI will end up with, so confirming a departed owner is refused as well.
 */
export async function ownerErrors(tx: Tx, next: { ownerId: string | null; backupOwnerId: string | null }): Promise<FieldErrors> {
  const errors: FieldErrors = {};
  if (!next.ownerId) errors.ownerId = ["Every non-human identity needs an accountable owner."];
  if (next.ownerId && next.ownerId === next.backupOwnerId) errors.backupOwnerId = ["The backup owner must be someone other than the owner."];
  const people = [next.ownerId, next.backupOwnerId].filter((v): v is string => !!v);
  if (people.length > 0) {
    const active = await activePeopleAmong(tx, people);
    if (next.ownerId && !active.has(next.ownerId)) (errors.ownerId ??= []).push("Choose an active person from the directory.");
    if (next.backupOwnerId && !active.has(next.backupOwnerId))
      (errors.backupOwnerId ??= []).push("Choose an active person from the directory, or leave the backup owner empty.");
  }
  return errors;
}

/** An optional person id from a form or JSON: "" and null clear it, absent keeps it. */
export const optionalPersonId = (what: string) =>
  z.union([z.uuid(`${what} must be a person's id.`), z.literal("").transform(() => null), z.null()], { message: `${what} must be a person's id.` }).optional();
