import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { identities } from "@/db/schema";
import { activePeopleAmong } from "./people";
import { auditedTransaction, diff, recordAudit } from "@/lib/audit/record";
import { actorOf, requireDecider, type Caller } from "@/lib/caller";
import { ForbiddenError, ValidationError, parseInput, type FieldErrors } from "@/lib/errors";
import { canEditIdentity, getVisibleIdentity } from "./detail";
import { dateTime, text } from "@/lib/validation/fields";

const optionalId = (what: string) => z.union([z.uuid(`${what} must be an identity id.`), z.literal("").transform(() => null), z.null()]).optional();

export const identityUpdate = z
  .object({
    purpose: text().trim().min(3, "Describe the purpose in at least 3 characters.").max(500, "Keep the purpose under 500 characters.").optional(),
    ownerId: optionalId("Owner"),
    backupOwnerId: optionalId("Backup owner"),
    managerId: optionalId("Manager"),
    title: text().trim().max(120, "Keep the title under 120 characters.").optional(),
    nextAttestationAt: dateTime("Next attestation").nullable().optional(),
  })
  .strict();
export type IdentityUpdate = z.input<typeof identityUpdate>;

/**
 * Changes an identity's governance fields. Admins may change any of them;
 * an NHI's owner or backup owner may hand it over and restate its purpose.
 */
export async function updateIdentity(db: Db, caller: Caller, id: string, rawInput: unknown) {
  requireDecider(caller);
  const current = (await getVisibleIdentity(db, caller, id)).identity;
  const input = parseInput(identityUpdate, rawInput);
  const allowed = canEditIdentity(caller, current);
  const denied = Object.keys(input).filter((k) => !allowed.includes(k));
  if (allowed.length === 0) throw new ForbiddenError("You may not change this identity.");
  if (denied.length > 0) throw new ForbiddenError(`You may not change ${denied.join(", ")} on this identity.`);

  const next = { ...current, ...input };
  const errors: FieldErrors = {};
  if (current.kind !== "human") {
    if (!next.ownerId) errors.ownerId = ["Every non-human identity needs an accountable owner."];
    if (next.ownerId && next.ownerId === next.backupOwnerId) errors.backupOwnerId = ["The backup owner must be someone other than the owner."];
  }
  if (next.managerId && next.managerId === current.id) errors.managerId = ["A person cannot be their own manager."];
  const people = [input.ownerId, input.backupOwnerId, input.managerId].filter((v): v is string => !!v);
  if (people.length > 0) {
    const ok = await activePeopleAmong(db, people);
    for (const field of ["ownerId", "backupOwnerId", "managerId"] as const) {
      const value = input[field];
      if (value && !ok.has(value)) (errors[field] ??= []).push("Choose an active person from the directory.");
    }
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);

  const change = diff(current as Record<string, unknown>, input as Record<string, unknown>);
  if (!change.changed) return current;
  return auditedTransaction(db, async (tx) => {
    const [updated] = await tx
      .update(identities)
      .set({ ...input, updatedAt: new Date() })
      .where(eq(identities.id, id))
      .returning();
    await recordAudit(tx, actorOf(caller), { action: "identity.updated", entityType: "identity", entityId: id, before: change.before, after: change.after });
    return updated;
  });
}
