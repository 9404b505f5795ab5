import { and, eq, inArray, ne, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { identities, teamMembers, teams } from "@/db/schema";
import { diff, recordAudit } from "@/lib/audit/record";
import { notDeletedSql, userNameSql } from "./attribute-maps";
import { URN, type ScimContext } from "./constants";
import { ScimError, badRequest } from "./errors";
import { lifecycleOf, moveDetails, signal } from "@/lib/lifecycle/placement";
import { nextPrimary, teamForDepartment } from "./membership";
import { isObject } from "./resource";
import type { UserInput } from "./user-input";
import { storedDocument, userNameOf, type PersonRow } from "./user-read";

// Concurrent creates of one userName queue here instead of both passing the uniqueness check.
const lockUserName = (tx: Tx, userName: string) => tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`scim:user:${userName.toLowerCase()}`}::text))`);

/** People holding this userName (case-insensitively), deleted ones included. */
async function holdersOf(tx: Tx, userName: string, exceptId?: string) {
  return tx
    .select({ id: identities.id, deleted: sql<boolean>`not ${notDeletedSql}` })
    .from(identities)
    .where(and(eq(identities.kind, "human"), sql`lower(${userNameSql}) = lower(${userName}::text)`, exceptId ? ne(identities.id, exceptId) : undefined));
}

const conflict = (detail: string) => new ScimError(409, detail, "uniqueness");

async function checkEmailFree(tx: Tx, email: string | null, exceptId?: string) {
  if (!email) return;
  const [taken] = await tx
    .select({ id: identities.id })
    .from(identities)
    .where(and(sql`lower(${identities.email}) = lower(${email}::text)`, exceptId ? ne(identities.id, exceptId) : undefined));
  if (taken) throw conflict(`The email ${email} already belongs to another identity.`);
}

async function checkManager(tx: Tx, managerId: string | null, selfId?: string) {
  if (!managerId) return;
  if (managerId === selfId) throw badRequest("invalidValue", "A person cannot be their own manager.");
  const [manager] = await tx
    .select({ id: identities.id })
    .from(identities)
    .where(and(eq(identities.id, managerId), eq(identities.kind, "human"), notDeletedSql));
  if (!manager) throw badRequest("invalidValue", `manager.value: no User with id ${JSON.stringify(managerId)}.`);
}

/**
 * POST /Users. A userName held by someone the identity provider deleted
 * brings that person back (their email is unique anyway, and their history
 * stays theirs); one held by anyone else is a 409. Answers the person's id.
 */
export async function createUser(tx: Tx, ctx: ScimContext, input: UserInput): Promise<string> {
  await lockUserName(tx, input.userName);
  const holders = await holdersOf(tx, input.userName);
  if (holders.some((h) => !h.deleted)) throw conflict(`A User with userName ${JSON.stringify(input.userName)} already exists.`);
  if (holders.length) {
    const [former] = await tx.select().from(identities).where(eq(identities.id, holders[0].id)).for("update");
    await replaceUser(tx, ctx, former, input);
    return former.id;
  }
  await checkEmailFree(tx, input.email);
  await checkManager(tx, input.managerId);
  const teamId = input.department ? await teamForDepartment(tx, ctx, input.department) : null;
  const [row] = await tx
    .insert(identities)
    .values({
      kind: "human",
      name: input.userName,
      displayName: input.displayName,
      email: input.email,
      externalId: input.externalId,
      title: input.title,
      managerId: input.managerId,
      teamId,
      // Created inactive: held back until the identity provider activates them (then a joiner).
      status: input.active ? "active" : "disabled",
      attributes: { scim: input.doc },
    })
    .returning();
  await recordAudit(tx, ctx.actor, {
    action: "identity.created",
    entityType: "identity",
    entityId: row.id,
    after: {
      kind: "human",
      name: row.name,
      displayName: row.displayName,
      email: row.email,
      externalId: row.externalId,
      title: row.title,
      managerId: row.managerId,
      teamId,
      status: row.status,
      source: ctx.source,
    },
  });
  if (input.active) await signal(tx, ctx, row.id, "joiner", { userName: input.userName, externalId: input.externalId });
  return row.id;
}

/**
 * PUT /Users/{id} (and every PATCH, applied to the resource first): the
 * person becomes what the body says, and the change is a joiner, mover or
 * leaver when it is one. A body that changes nothing writes nothing.
 */
export async function replaceUser(tx: Tx, ctx: ScimContext, current: PersonRow, input: UserInput): Promise<void> {
  const oldDoc = storedDocument(current);
  const oldUserName = userNameOf(current);
  if (input.userName.toLowerCase() !== oldUserName.toLowerCase()) {
    await lockUserName(tx, input.userName);
    const holders = await holdersOf(tx, input.userName, current.id);
    if (holders.some((h) => !h.deleted)) throw conflict(`A User with userName ${JSON.stringify(input.userName)} already exists.`);
  }
  const email = input.email ?? current.email;
  if ((email ?? "").toLowerCase() !== (current.email ?? "").toLowerCase()) await checkEmailFree(tx, email, current.id);
  if (input.managerId !== current.managerId) await checkManager(tx, input.managerId, current.id);

  // The department moves the primary team only when the identity provider changes it.
  const oldEnterprise = isObject(oldDoc[URN.enterprise]) ? (oldDoc[URN.enterprise] as Record<string, unknown>) : {};
  const oldDepartment = typeof oldEnterprise.department === "string" ? oldEnterprise.department : null;
  let teamId = current.teamId;
  if ((input.department ?? "").toLowerCase() !== (oldDepartment ?? "").toLowerCase()) {
    if (input.department) teamId = await teamForDepartment(tx, ctx, input.department);
    else if (current.teamId && oldDepartment && (await teamNamed(tx, current.teamId, oldDepartment)))
      teamId = await nextPrimary(tx, current.id, current.teamId);
  }

  const reactivated = current.status !== "active" && input.active;
  const columns = {
    // A name that was the old userName follows it; a name given some other way stays.
    name: current.name.toLowerCase() === oldUserName.toLowerCase() ? input.userName : current.name,
    displayName: input.displayName,
    email,
    externalId: input.externalId,
    title: input.title,
    managerId: input.managerId,
    teamId,
    ...(reactivated ? { status: "active" as const } : {}),
  };
  const change = diff(current as unknown as Record<string, unknown>, columns);
  const { deleted: wasDeleted, ...keptDoc } = oldDoc;
  const docChanged = JSON.stringify(sortKeys(keptDoc)) !== JSON.stringify(sortKeys(input.doc)) || wasDeleted != null;
  const deactivated = current.status === "active" && !input.active;
  if (!change.changed && !docChanged && !deactivated) return;

  const [row] = await tx
    .update(identities)
    .set({ ...columns, attributes: { ...current.attributes, scim: input.doc }, updatedAt: new Date() })
    .where(eq(identities.id, current.id))
    .returning();
  await recordAudit(tx, ctx.actor, {
    action: "identity.updated",
    entityType: "identity",
    entityId: current.id,
    before: change.before,
    after: { ...change.after, ...(docChanged ? { scimDocument: "replaced" } : {}), ...(wasDeleted != null ? { restored: true } : {}), source: ctx.source },
  });

  const before = { status: current.status, managerId: current.managerId, teamId: current.teamId };
  const after = { status: row.status, managerId: row.managerId, teamId: row.teamId, active: input.active };
  const type = lifecycleOf(before, after);
  if (type === "leaver") await signal(tx, ctx, row.id, "leaver", { reason: "deactivated by the identity provider" });
  else if (type === "joiner")
    await signal(tx, ctx, row.id, "joiner", { reason: wasDeleted != null ? "re-created by the identity provider" : "re-activated by the identity provider" });
  else if (type === "mover") await signal(tx, ctx, row.id, "mover", moveDetails(before, after));
}

async function teamNamed(tx: Tx, teamId: string, name: string) {
  const [team] = await tx.select({ name: teams.name }).from(teams).where(eq(teams.id, teamId));
  return !!team && team.name.toLowerCase() === name.toLowerCase();
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isObject(value))
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys(value[k])]),
    );
  return value;
}

/**
 * DELETE /Users/{id}: the person leaves (unless they already had) and is
 * marked deleted, so SCIM no longer finds them; the row stays as evidence.
 * Their group memberships end; their primary team is kept for the record.
 */
export async function deleteUser(tx: Tx, ctx: ScimContext, current: PersonRow) {
  const at = new Date();
  await tx
    .update(identities)
    .set({ attributes: { ...current.attributes, scim: { ...storedDocument(current), deleted: at.toISOString() } }, updatedAt: at })
    .where(eq(identities.id, current.id));
  const left = await tx.delete(teamMembers).where(eq(teamMembers.identityId, current.id)).returning({ teamId: teamMembers.teamId });
  if (left.length)
    await tx
      .update(teams)
      .set({ updatedAt: at })
      .where(
        inArray(
          teams.id,
          left.map((m) => m.teamId),
        ),
      );
  await recordAudit(tx, ctx.actor, [
    {
      action: "identity.deleted",
      entityType: "identity",
      entityId: current.id,
      before: { status: current.status },
      after: { deletedAt: at, source: ctx.source, kept: "the row stays as evidence" },
    },
    ...left.map((m) => ({
      action: "team.members_removed" as const,
      entityType: "team",
      entityId: m.teamId,
      before: { identityIds: [current.id] },
      after: { source: ctx.source, reason: "user deleted" },
    })),
  ]);
  if (current.status === "active" || current.status === "disabled") await signal(tx, ctx, current.id, "leaver", { reason: "deleted by the identity provider" });
}
