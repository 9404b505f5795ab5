import { and, asc, desc, eq, inArray, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { credentialPolicies, credentials, credentialTasks, credentialTypes, findings, identities } from "@/db/schema";
import { type Actor, auditedTransaction, recordAudit } from "@/lib/audit/record";
import { actorOf, hasRole, isReadOnly, requireDecider, requireRole, type Caller } from "@/lib/caller";
import { requireScope, type TokenPrincipal } from "@/lib/auth/tokens";
import { NotFoundError, ValidationError, parseInput } from "@/lib/errors";
import { findingKey, resolveFindings } from "@/lib/findings/raise";
import { completeTasks } from "./tasks";
import { requestReconciliation } from "@/lib/findings/refresh";
import { dateTime, integer } from "@/lib/validation/fields";

const rotatedFields = { rotatedAt: dateTime("rotatedAt").optional(), expiresAt: dateTime("expiresAt").optional() };
const rotationRules = <T extends z.ZodType<{ rotatedAt?: Date; expiresAt?: Date }>>(schema: T) =>
  schema
    .refine((r) => !r.rotatedAt || r.rotatedAt.getTime() <= Date.now() + 60_000, { message: "A rotation cannot be in the future.", path: ["rotatedAt"] })
    .refine((r) => !r.expiresAt || r.expiresAt.getTime() > Date.now(), { message: "The new expiry must be in the future.", path: ["expiresAt"] });
const rotatedInput = rotationRules(z.object(rotatedFields).strict());
// Both are strict, so a misspelt field is an error rather than silently ignored.
const reportedRotation = rotationRules(z.object({ ...rotatedFields, credentialId: z.uuid("credentialId must be a credential id.") }).strict());

/**
 * Records that a credential was rotated (the secret itself never comes here):
 * its age starts over, its open rotation tasks are done, and the long-lived
 * secret finding about it is resolved. In the caller's transaction.
 */
export async function recordRotation(tx: Tx, actor: Actor, credentialId: string, input: z.output<typeof rotatedInput>, doneById: string | null) {
  const now = new Date();
  const [before] = await tx.select().from(credentials).where(eq(credentials.id, credentialId)).for("update");
  if (!before) throw new NotFoundError("Credential");
  if (before.status !== "active") throw new ValidationError({ credentialId: ["This credential is revoked; issue a new one instead."] });
  const rotatedAt = input.rotatedAt ?? now;
  const [after] = await tx
    .update(credentials)
    .set({ lastRotatedAt: rotatedAt, ...(input.expiresAt ? { expiresAt: input.expiresAt } : {}), updatedAt: now })
    .where(eq(credentials.id, credentialId))
    .returning();
  const tasks = await completeTasks(tx, credentialId, ["rotate"], doneById);
  // Reconciliation keys this credential's finding by its identity and the credential (lib/reconciliation/detectors/stale-credential.ts): found by the unique key.
  await resolveFindings(
    tx,
    [findingKey({ kind: "stale_credential", identityId: before.identityId, discriminator: credentialId })],
    "Credential rotated",
    doneById,
  );
  await recordAudit(tx, actor, {
    action: "credential.rotated",
    entityType: "credential",
    entityId: credentialId,
    before: { lastRotatedAt: before.lastRotatedAt, expiresAt: before.expiresAt },
    after: { lastRotatedAt: rotatedAt, expiresAt: after.expiresAt, tasksDone: tasks.length },
  });
  return { ...after, tasksDone: tasks.length };
}

const revokedFields = { revokedAt: dateTime("revokedAt").optional() };
const revocationRules = <T extends z.ZodType<{ revokedAt?: Date }>>(schema: T) =>
  schema.refine((r) => !r.revokedAt || r.revokedAt.getTime() <= Date.now() + 60_000, { message: "A revocation cannot be in the future.", path: ["revokedAt"] });
const revokedInput = revocationRules(z.object(revokedFields).strict());
const reportedRevocation = revocationRules(z.object({ ...revokedFields, credentialId: z.uuid("credentialId must be a credential id.") }).strict());

/**
 * Records that a credential was revoked where it lives: it is no longer
 * usable, its open tasks (revoke, and rotate: nothing is left to rotate) are
 * done, and its long-lived-secret finding is resolved. In the caller's
 * transaction.
 */
export async function recordRevocation(tx: Tx, actor: Actor, credentialId: string, input: z.output<typeof revokedInput>, doneById: string | null) {
  const now = new Date();
  const [before] = await tx.select().from(credentials).where(eq(credentials.id, credentialId)).for("update");
  if (!before) throw new NotFoundError("Credential");
  if (before.status !== "active") throw new ValidationError({ credentialId: ["This credential is already revoked."] });
  const [after] = await tx.update(credentials).set({ status: "revoked", updatedAt: now }).where(eq(credentials.id, credentialId)).returning();
  const tasks = await completeTasks(tx, credentialId, ["revoke", "rotate"], doneById);
  await resolveFindings(
    tx,
    [findingKey({ kind: "stale_credential", identityId: before.identityId, discriminator: credentialId })],
    "Credential revoked",
    doneById,
  );
  await recordAudit(tx, actor, {
    action: "credential.revoked",
    entityType: "credential",
    entityId: credentialId,
    before: { status: before.status },
    after: { status: "revoked", revokedAt: input.revokedAt ?? now, tasksDone: tasks.length },
  });
  return { ...after, tasksDone: tasks.length };
}

/** Who may say an NHI's credential was rotated or revoked: its owner, its backup owner, or an admin. */
export function mayMarkRotated(caller: Caller, nhi: { ownerId: string | null; backupOwnerId: string | null }): boolean {
  return nhi.ownerId === caller.identityId || nhi.backupOwnerId === caller.identityId || hasRole(caller, "admin");
}

/** Runs a person's report on one credential after checking they may make it (invisible credentials answer 404). */
async function asOwner<T>(db: Db, caller: Caller, credentialId: string, record: (tx: Tx) => Promise<T>) {
  requireDecider(caller);
  if (!z.uuid().safeParse(credentialId).success) throw new NotFoundError("Credential");
  return auditedTransaction(db, async (tx) => {
    const [row] = await tx
      .select({ ownerId: identities.ownerId, backupOwnerId: identities.backupOwnerId })
      .from(credentials)
      .innerJoin(identities, eq(identities.id, credentials.identityId))
      .where(eq(credentials.id, credentialId));
    if (!row || !mayMarkRotated(caller, row)) throw new NotFoundError("Credential");
    return record(tx);
  });
}

/** An NHI's owner, backup owner, or an admin marks one of its credentials rotated. */
export async function markRotated(db: Db, caller: Caller, credentialId: string, raw: unknown) {
  const input = parseInput(rotatedInput, raw);
  return asOwner(db, caller, credentialId, (tx) => recordRotation(tx, actorOf(caller), credentialId, input, caller.identityId));
}

/** An NHI's owner, backup owner, or an admin marks one of its credentials revoked. */
export async function markRevoked(db: Db, caller: Caller, credentialId: string, raw: unknown) {
  const input = parseInput(revokedInput, raw);
  return asOwner(db, caller, credentialId, (tx) => recordRevocation(tx, actorOf(caller), credentialId, input, caller.identityId));
}

const connectorActor = (token: TokenPrincipal) => ({ id: null, label: `connector: ${token.name}` });

/** A connector or secrets manager reports a rotation it carried out (API token with credentials:write). */
export async function reportRotation(db: Db, token: TokenPrincipal, raw: unknown) {
  requireScope(token, "credentials:write");
  const input = parseInput(reportedRotation, raw);
  return auditedTransaction(db, (tx) => recordRotation(tx, connectorActor(token), input.credentialId, input, null));
}

/** A connector or secrets manager reports a revocation it carried out (API token with credentials:write). */
export async function reportRevocation(db: Db, token: TokenPrincipal, raw: unknown) {
  requireScope(token, "credentials:write");
  const input = parseInput(reportedRevocation, raw);
  return auditedTransaction(db, (tx) => recordRevocation(tx, connectorActor(token), input.credentialId, input, null));
}

const assignee = alias(identities, "assignee");
const escalatedTo = alias(identities, "escalated_to");

/** Open rotation and revocation tasks on the credentials `where` selects, the most overdue first. */
function openTasks(db: Tx, where: SQL | undefined) {
  return db
    .select({
      id: credentialTasks.id,
      kind: credentialTasks.kind,
      reason: credentialTasks.reason,
      createdAt: credentialTasks.createdAt,
      dueAt: credentialTasks.dueAt,
      escalationLevel: credentialTasks.escalationLevel,
      assigneeId: credentialTasks.assigneeId,
      assigneeName: assignee.displayName,
      escalatedToName: escalatedTo.displayName,
      credentialId: credentials.id,
      label: credentials.label,
      type: credentials.type,
      identityId: identities.id,
      identityName: identities.name,
      ownerId: identities.ownerId,
      backupOwnerId: identities.backupOwnerId,
    })
    .from(credentialTasks)
    .innerJoin(credentials, eq(credentials.id, credentialTasks.credentialId))
    .innerJoin(identities, eq(identities.id, credentials.identityId))
    .leftJoin(assignee, eq(assignee.id, credentialTasks.assigneeId))
    .leftJoin(escalatedTo, eq(escalatedTo.id, credentialTasks.escalatedToId))
    .where(and(eq(credentialTasks.status, "open"), where))
    .orderBy(asc(credentialTasks.dueAt), desc(credentialTasks.createdAt));
}

/**
 * Open rotation and revocation tasks the caller answers for: on NHIs they own
 * or back up, assigned to them, or escalated to them (admins and auditors: all,
 * unless they ask for only their own).
 */
export async function listCredentialTasks(db: Tx, caller: Caller, opts: { identityId?: string; mine?: boolean } = {}) {
  if (opts.identityId && !z.uuid().safeParse(opts.identityId).success) throw new ValidationError({ identityId: ["The identity must be an id."] });
  const mine =
    hasRole(caller, "admin", "auditor") && !opts.mine
      ? undefined
      : or(
          eq(identities.ownerId, caller.identityId),
          eq(identities.backupOwnerId, caller.identityId),
          eq(credentialTasks.assigneeId, caller.identityId),
          eq(credentialTasks.escalatedToId, caller.identityId),
        );
  const rows = await openTasks(db, and(mine, opts.identityId ? eq(identities.id, opts.identityId) : undefined)).limit(500);
  return rows.map((r) => ({ ...r, canMarkDone: mayMarkRotated(caller, r) && !isReadOnly(caller) }));
}

const policyInput = z
  .object({
    policies: z
      .array(
        z
          .object({
            type: z.enum(credentialTypes, { message: `Types are: ${credentialTypes.join(", ")}.` }),
            maxAgeDays: integer("Maximum age", 1, 3650, {
              type: "Maximum age must be a whole number of days.",
              min: "At least 1 day.",
              max: "At most 3,650 days.",
            }),
            requireExpiry: z.boolean().default(false),
          })
          .strict(),
      )
      .min(1, "Send at least one policy.")
      .refine((list) => new Set(list.map((p) => p.type)).size === list.length, { message: "Name each credential type once." }),
  })
  .strict();

/** How many credentials the last reconciliation found outside their policy (open long-lived-secret findings). */
export async function credentialsOutsidePolicy(db: Tx, caller: Caller): Promise<number> {
  requireRole(caller, "admin", "auditor");
  const [{ n }] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(findings)
    .where(and(eq(findings.kind, "stale_credential"), eq(findings.status, "open")));
  return n;
}

/** Rotation ages by credential type. */
export async function listCredentialPolicies(db: Tx, caller: Caller) {
  requireRole(caller, "admin", "auditor");
  return db.select().from(credentialPolicies).orderBy(asc(credentialPolicies.type));
}

/**
 * Admins set how old each type of credential may get, and whether it must
 * expire. A reconciliation pass is queued with the change, so the
 * long-lived-secret findings follow within moments, not at the next hour.
 */
export async function updateCredentialPolicies(db: Db, caller: Caller, raw: unknown) {
  requireRole(caller, "admin");
  const input = parseInput(policyInput, raw);
  return auditedTransaction(db, async (tx) => {
    const before = await tx
      .select()
      .from(credentialPolicies)
      .where(
        inArray(
          credentialPolicies.type,
          input.policies.map((p) => p.type),
        ),
      );
    for (const p of input.policies) {
      await tx
        .insert(credentialPolicies)
        .values({ ...p, updatedAt: new Date() })
        .onConflictDoUpdate({ target: credentialPolicies.type, set: { maxAgeDays: p.maxAgeDays, requireExpiry: p.requireExpiry, updatedAt: new Date() } });
    }
    await recordAudit(tx, actorOf(caller), {
      action: "credential_policy.updated",
      entityType: "credential_policy",
      entityId: input.policies.map((p) => p.type).join(","),
      before,
      after: input.policies,
    });
    await requestReconciliation(tx);
    return tx.select().from(credentialPolicies).orderBy(asc(credentialPolicies.type));
  });
}

/** Open tasks on one identity's credentials, for its page (the page checked who may see it). */
export async function openTasksOf(db: Tx, identityId: string) {
  return openTasks(db, eq(credentials.identityId, identityId));
}
