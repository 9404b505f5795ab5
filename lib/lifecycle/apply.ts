import { eq } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { identities, lifecycleEvents } from "@/db/schema";
import { auditedTransaction, recordAudit, type Actor } from "@/lib/audit/record";
import { actorOf, requireRole, type Caller } from "@/lib/caller";
import { ConflictError, NotFoundError, parseInput } from "@/lib/errors";
import { z } from "zod";
import { processLeaver } from "./leaver";
import { processMover } from "./mover";
import { text } from "@/lib/validation/fields";

export type LifecycleType = "joiner" | "mover" | "leaver";

/**
 * Records a joiner, mover or leaver signal and acts on it in the caller's
 * transaction, so the identity provider's call returns only when the person's
 * access already reflects it. The event keeps what it caused (its outcome)
 * for the identity's timeline.
 */
export async function applyLifecycle(
  tx: Tx,
  actor: Actor,
  input: { identityId: string; type: LifecycleType; source: string; details?: Record<string, unknown>; occurredAt?: Date },
) {
  const now = new Date();
  const [event] = await tx
    .insert(lifecycleEvents)
    .values({ identityId: input.identityId, type: input.type, source: input.source, details: input.details ?? {}, occurredAt: input.occurredAt ?? now })
    .returning();
  const ref = `lifecycle:${event.id}`;
  let outcome: Record<string, unknown> = {};
  if (input.type === "leaver") {
    const [person] = await tx.select({ status: identities.status }).from(identities).where(eq(identities.id, input.identityId));
    if (person.status === "active" || person.status === "disabled") {
      await tx.update(identities).set({ status: "offboarded", updatedAt: now }).where(eq(identities.id, input.identityId));
      await recordAudit(tx, actor, {
        action: "identity.offboarded",
        entityType: "identity",
        entityId: input.identityId,
        before: { status: person.status },
        after: { status: "offboarded", source: input.source },
      });
    }
    outcome = await processLeaver(tx, actor, input.identityId, ref);
  } else if (input.type === "mover") {
    outcome = await processMover(tx, actor, input.identityId, ref);
  }
  await tx.update(lifecycleEvents).set({ processedAt: new Date(), outcome }).where(eq(lifecycleEvents.id, event.id));
  await recordAudit(tx, actor, {
    action: `lifecycle.${input.type}`,
    entityType: "identity",
    entityId: input.identityId,
    after: { eventId: event.id, source: input.source, details: input.details ?? {}, outcome },
  });
  return { eventId: event.id, outcome };
}

export const offboardInput = z
  .object({ reason: text({ message: "Say why the person is offboarded." }).trim().min(3, "Say why the person is offboarded.").max(2000) })
  .strict();

/**
 * An admin records that a person left, when the identity provider has not
 * (or is not connected): the same leaver processing SCIM triggers.
 */
export async function offboardPerson(db: Db, caller: Caller, personId: string, raw: unknown) {
  requireRole(caller, "admin");
  const input = parseInput(offboardInput, raw);
  if (!z.uuid().safeParse(personId).success) throw new NotFoundError("Person");
  if (personId === caller.identityId) throw new ConflictError("You cannot offboard yourself; ask another admin.");
  // A leaver touches many rows: the audit chain's lock is taken only at the end, as on the SCIM path.
  return auditedTransaction(db, async (tx) => {
    const [person] = await tx
      .select({ id: identities.id, kind: identities.kind, status: identities.status })
      .from(identities)
      .where(eq(identities.id, personId));
    if (!person || person.kind !== "human") throw new NotFoundError("Person");
    if (person.status === "offboarded") throw new ConflictError("This person is already offboarded.");
    return applyLifecycle(tx, actorOf(caller), { identityId: personId, type: "leaver", source: "admin", details: { reason: input.reason } });
  });
}
