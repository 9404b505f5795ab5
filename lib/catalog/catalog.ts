import { and, asc, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { outer } from "@/db/rows";
import { entitlements, grants, identities, privilegeLevels, systemKinds, systems } from "@/db/schema";
import { auditedTransaction, diff, recordAudit } from "@/lib/audit/record";
import { actorOf, requireRole, type Caller } from "@/lib/caller";
import { ConflictError, NotFoundError, ValidationError, parseInput } from "@/lib/errors";
import { requestReconciliation } from "@/lib/findings/refresh";
import { text } from "@/lib/validation/fields";

const name = (what: string) => text().trim().min(1, `Name the ${what}.`).max(200, `Keep the ${what}'s name under 200 characters.`);
const description = text().trim().max(2000, "Keep the description under 2,000 characters.");
const owner = z.uuid("The owner must be a person's id.").nullable();

export const systemInput = z
  .object({
    name: name("system"),
    kind: z.enum(systemKinds, { message: `Kind is one of: ${systemKinds.join(", ")}.` }),
    environment: text().trim().min(1, "Say which environment (production, staging, …).").max(50).default("production"),
    externalId: text().trim().max(500).nullable().optional(),
    description: description.nullable().optional(),
    ownerId: owner.optional(),
  })
  .strict();
export const systemPatch = systemInput.omit({ kind: true }).partial().strict();

export const entitlementInput = z
  .object({
    systemId: z.uuid("Choose the system."),
    name: name("entitlement"),
    description: description.nullable().optional(),
    privilegeLevel: z.enum(privilegeLevels, { message: `The level is one of: ${privilegeLevels.join(", ")}.` }),
    ownerId: owner.optional(),
    externalRef: text().trim().max(500).nullable().optional(),
  })
  .strict();
export const entitlementPatch = entitlementInput.omit({ systemId: true }).partial().strict();

/** An owner is an active person: a gone or non-human owner answers for nothing. */
async function checkOwner(tx: Tx, ownerId: string | null | undefined) {
  if (!ownerId) return;
  const [row] = await tx.select({ kind: identities.kind, status: identities.status }).from(identities).where(eq(identities.id, ownerId));
  if (!row || row.kind !== "human" || row.status !== "active") throw new ValidationError({ ownerId: ["The owner must be an active person."] });
}

const uuid = z.uuid();

/** The audit row's before and after: only the fields the edit changed. */
const changeOf = (current: Record<string, unknown>, input: Record<string, unknown>) => {
  const { before, after } = diff(current, input);
  return { before, after };
};

/** Systems with their entitlement counts, for the admin screens. Admins and auditors. */
export async function listCatalog(db: Tx, caller: Caller) {
  requireRole(caller, "admin", "auditor");
  const owner = sql<string | null>`(select o.display_name from ${identities} o where o.id = ${outer(systems.ownerId)})`;
  return db
    .select({
      id: systems.id,
      name: systems.name,
      kind: systems.kind,
      environment: systems.environment,
      externalId: systems.externalId,
      description: systems.description,
      ownerId: systems.ownerId,
      ownerName: owner,
      entitlements: sql<number>`(select count(*) from ${entitlements} e where e.system_id = ${outer(systems.id)})`.mapWith(Number),
    })
    .from(systems)
    .orderBy(asc(systems.name));
}

/** One system's entitlements with their owner, level and how many live grants they back. */
export async function listSystemEntitlements(db: Tx, caller: Caller, systemId: string) {
  requireRole(caller, "admin", "auditor");
  if (!uuid.safeParse(systemId).success) throw new NotFoundError("System");
  const [system] = await db.select().from(systems).where(eq(systems.id, systemId));
  if (!system) throw new NotFoundError("System");
  const rows = await db
    .select({
      id: entitlements.id,
      name: entitlements.name,
      description: entitlements.description,
      privilegeLevel: entitlements.privilegeLevel,
      ownerId: entitlements.ownerId,
      ownerName: sql<string | null>`(select o.display_name from ${identities} o where o.id = ${outer(entitlements.ownerId)})`,
      externalRef: entitlements.externalRef,
      imported: sql<boolean>`${entitlements.permissions} is not null`,
      liveGrants: sql<number>`(select count(*) from ${grants} g where g.entitlement_id = ${outer(entitlements.id)} and g.revoked_at is null)`.mapWith(Number),
    })
    .from(entitlements)
    .where(eq(entitlements.systemId, systemId))
    .orderBy(asc(entitlements.name));
  return { system, entitlements: rows };
}

const taken = (what: string, value: string) => new ConflictError(`A ${what} named “${value}” exists already. Choose another name, or edit that one.`);

/** System names are unique whatever their case: "Billing" and "billing" would be one system to a reader. */
async function refuseTakenSystemName(tx: Tx, name: string, exceptId?: string) {
  const [clash] = await tx
    .select({ id: systems.id })
    .from(systems)
    .where(and(sql`lower(${systems.name}) = lower(${name})`, exceptId ? ne(systems.id, exceptId) : undefined));
  if (clash) throw taken("system", name);
}

async function refuseTakenEntitlementName(tx: Tx, systemId: string, name: string, exceptId?: string) {
  const [clash] = await tx
    .select({ id: entitlements.id })
    .from(entitlements)
    .where(and(eq(entitlements.systemId, systemId), eq(entitlements.name, name), exceptId ? ne(entitlements.id, exceptId) : undefined));
  if (clash) throw taken("entitlement of this system", name);
}

/** Admins define a system no importer covers (an internal app, a vendor console). Audited. */
export async function createSystem(db: Db, caller: Caller, raw: unknown) {
  requireRole(caller, "admin");
  const input = parseInput(systemInput, raw);
  return auditedTransaction(db, async (tx) => {
    await checkOwner(tx, input.ownerId);
    await refuseTakenSystemName(tx, input.name);
    // The unique index settles two admins adding the same name at once.
    const [row] = await tx.insert(systems).values(input).onConflictDoNothing().returning();
    if (!row) throw taken("system", input.name);
    await recordAudit(tx, actorOf(caller), { action: "system.created", entityType: "system", entityId: row.id, after: input });
    return row;
  });
}

/** Renames a system or changes its environment, owner or description (its kind stays: imports rely on it). */
export async function updateSystem(db: Db, caller: Caller, id: string, raw: unknown) {
  requireRole(caller, "admin");
  if (!uuid.safeParse(id).success) throw new NotFoundError("System");
  const input = parseInput(systemPatch, raw);
  return auditedTransaction(db, async (tx) => {
    const [current] = await tx.select().from(systems).where(eq(systems.id, id)).for("update");
    if (!current) throw new NotFoundError("System");
    await checkOwner(tx, input.ownerId);
    if (input.name) await refuseTakenSystemName(tx, input.name, id);
    const [row] = await tx
      .update(systems)
      .set({ ...input, updatedAt: new Date() })
      .where(eq(systems.id, id))
      .returning();
    await recordAudit(tx, actorOf(caller), {
      action: "system.updated",
      entityType: "system",
      entityId: id,
      ...changeOf(current, input),
    });
    return row;
  });
}

/** Admins define an entitlement of a system, with its owner and privilege level. Audited. */
export async function createEntitlement(db: Db, caller: Caller, raw: unknown) {
  requireRole(caller, "admin");
  const input = parseInput(entitlementInput, raw);
  return auditedTransaction(db, async (tx) => {
    const [system] = await tx.select({ id: systems.id }).from(systems).where(eq(systems.id, input.systemId));
    if (!system) throw new ValidationError({ systemId: ["No such system."] });
    await checkOwner(tx, input.ownerId);
    await refuseTakenEntitlementName(tx, input.systemId, input.name);
    const [row] = await tx.insert(entitlements).values(input).onConflictDoNothing().returning();
    if (!row) throw taken("entitlement of this system", input.name);
    await recordAudit(tx, actorOf(caller), { action: "entitlement.created", entityType: "entitlement", entityId: row.id, after: input });
    return row;
  });
}

/**
 * Changes an entitlement's owner, level, name or description. The level an
 * admin sets is what imports keep where the source does not say (a directory
 * group, a database role); a re-import of AWS policies sets it from the
 * policy again.
 */
export async function updateEntitlement(db: Db, caller: Caller, id: string, raw: unknown) {
  requireRole(caller, "admin");
  if (!uuid.safeParse(id).success) throw new NotFoundError("Entitlement");
  const input = parseInput(entitlementPatch, raw);
  return auditedTransaction(db, async (tx) => {
    const [current] = await tx.select().from(entitlements).where(eq(entitlements.id, id)).for("update");
    if (!current) throw new NotFoundError("Entitlement");
    await checkOwner(tx, input.ownerId);
    if (input.name) await refuseTakenEntitlementName(tx, current.systemId, input.name, id);
    const [row] = await tx
      .update(entitlements)
      .set({ ...input, updatedAt: new Date() })
      .where(eq(entitlements.id, id))
      .returning();
    // A level decides findings, review priorities and dashboard figures: they follow within seconds.
    if (input.privilegeLevel && input.privilegeLevel !== current.privilegeLevel) await requestReconciliation(tx);
    await recordAudit(tx, actorOf(caller), {
      action: "entitlement.updated",
      entityType: "entitlement",
      entityId: id,
      ...changeOf(current, input),
    });
    return row;
  });
}
