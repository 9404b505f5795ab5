import { and, asc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { identities, teamMembers, teams } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { queryRows } from "@/db/rows";
import { groupAttributes, memberSubAttributes, notDeletedSql } from "./attribute-maps";
import { URN, type ScimContext } from "./constants";
import { ScimError, badRequest, notFound } from "./errors";
import { filterToSql, normalizePath, parseFilter } from "./filter";
import { deleteTeamRow, lockTeamName } from "@/lib/teams/membership";
import { addMembers, checkMembers, removeMembers, setMembers, teamChange } from "./membership";
import { applyPatch, type PatchOperation } from "./patch";
import { compact, isObject, isUuid, keyOf, versionOf, type ScimResource } from "./resource";

export type TeamRow = typeof teams.$inferSelect;
type Member = { teamId: string; id: string; display: string };

export async function findTeam(tx: Tx, id: string, opts: { lock?: boolean } = {}): Promise<TeamRow> {
  if (!isUuid(id)) throw notFound("Group", id);
  const q = tx.select().from(teams).where(eq(teams.id, id));
  const [row] = opts.lock ? await q.for("update") : await q;
  if (!row) throw notFound("Group", id);
  return row;
}

async function membersOf(tx: Tx, teamIds: string[]): Promise<Member[]> {
  if (teamIds.length === 0) return [];
  return tx
    .select({ teamId: teamMembers.teamId, id: identities.id, display: identities.displayName })
    .from(teamMembers)
    .innerJoin(identities, eq(identities.id, teamMembers.identityId))
    .where(and(inArray(teamMembers.teamId, teamIds), notDeletedSql))
    .orderBy(asc(teamMembers.createdAt), asc(identities.id));
}

/**
 * A team as a SCIM Group. Its version is taken from the team's own
 * lastModified, which every membership change moves, so a list that leaves
 * members out (excludedAttributes=members, as Entra ID asks) needs not load them.
 */
export function groupResource(row: TeamRow, members: Member[] | null, baseUrl: string): ScimResource {
  const resource = compact({
    schemas: [URN.group],
    id: row.id,
    displayName: row.name,
    members: members?.map((m) => ({ value: m.id, $ref: `${baseUrl}/Users/${m.id}`, display: m.display, type: "User" })),
  });
  const version = versionOf({ id: row.id, displayName: row.name, lastModified: row.updatedAt.toISOString() });
  return {
    ...resource,
    meta: {
      resourceType: "Group",
      created: row.createdAt.toISOString(),
      lastModified: row.updatedAt.toISOString(),
      location: `${baseUrl}/Groups/${row.id}`,
      version,
    },
  };
}

export async function getGroup(tx: Tx, id: string, baseUrl: string, opts: { lock?: boolean; withMembers?: boolean } = {}) {
  const row = await findTeam(tx, id, opts);
  const members = opts.withMembers === false ? null : await membersOf(tx, [row.id]);
  return { row, resource: groupResource(row, members, baseUrl) };
}

export async function listGroups(tx: Tx, query: { filter?: string; startIndex: number; count: number; withMembers: boolean }, baseUrl: string) {
  const where: SQL | undefined = query.filter ? filterToSql(parseFilter(query.filter), groupAttributes) : undefined;
  const [{ total }] = await tx
    .select({ total: sql<number>`count(*)::int` })
    .from(teams)
    .where(where);
  const rows =
    query.count > 0
      ? await tx
          .select()
          .from(teams)
          .where(where)
          .orderBy(asc(teams.createdAt), asc(teams.id))
          .limit(query.count)
          .offset(query.startIndex - 1)
      : [];
  let members: Map<string, Member[]> | null = null;
  if (query.withMembers) {
    // Large groups on a large page: sort the memberships into their groups once.
    members = new Map(rows.map((r) => [r.id, []]));
    for (const m of await membersOf(
      tx,
      rows.map((r) => r.id),
    ))
      members.get(m.teamId)!.push(m);
  }
  return { total, resources: rows.map((r) => groupResource(r, members && members.get(r.id)!, baseUrl)) };
}

type GroupInput = { displayName: string; members: string[] | undefined };

function readGroupInput(raw: unknown): GroupInput {
  if (!isObject(raw)) throw badRequest("invalidSyntax", "The body must be a Group resource (a JSON object).");
  const nameKey = keyOf(raw, "displayName");
  const displayName = nameKey ? raw[nameKey] : undefined;
  if (typeof displayName !== "string" || displayName.trim() === "") throw badRequest("invalidValue", "displayName is required.");
  if (displayName.trim().length > 200) throw badRequest("invalidValue", "displayName is at most 200 characters.");
  const membersKey = keyOf(raw, "members");
  return { displayName: displayName.trim(), members: membersKey ? memberIds(raw[membersKey]) : undefined };
}

function memberIds(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((m: unknown, i) => {
    const id: unknown = isObject(m) ? m[keyOf(m, "value") ?? "value"] : m;
    if (typeof id !== "string") throw badRequest("invalidValue", `members[${i}].value must be the id of a User.`);
    return id.trim().toLowerCase();
  });
}

async function checkNameFree(tx: Tx, name: string, exceptId?: string) {
  const [taken] = await tx
    .select({ id: teams.id })
    .from(teams)
    .where(and(sql`lower(${teams.name}) = lower(${name}::text)`, exceptId ? sql`${teams.id} <> ${exceptId}::uuid` : undefined));
  if (taken) throw new ScimError(409, `A Group named ${JSON.stringify(name)} already exists.`, "uniqueness");
}

export async function createGroup(tx: Tx, ctx: ScimContext, raw: unknown): Promise<TeamRow> {
  const input = readGroupInput(raw);
  await lockTeamName(tx, input.displayName);
  await checkNameFree(tx, input.displayName);
  const members = await checkMembers(tx, input.members ?? []);
  const [row] = await tx.insert(teams).values({ name: input.displayName, managedBy: ctx.source }).returning();
  await recordAudit(tx, ctx.actor, { action: "team.created", entityType: "team", entityId: row.id, after: { name: row.name, source: ctx.source } });
  await addMembers(tx, ctx, row, members);
  return row;
}

async function rename(tx: Tx, ctx: ScimContext, row: TeamRow, name: string): Promise<TeamRow> {
  if (name === row.name) return row;
  if (name.toLowerCase() !== row.name.toLowerCase()) {
    await lockTeamName(tx, name);
    await checkNameFree(tx, name, row.id);
  }
  const [renamed] = await tx.update(teams).set({ name, updatedAt: new Date() }).where(eq(teams.id, row.id)).returning();
  await recordAudit(tx, ctx.actor, {
    action: "team.renamed",
    entityType: "team",
    entityId: row.id,
    before: { name: row.name },
    after: { name, source: ctx.source },
  });
  return renamed;
}

/** PUT /Groups/{id}: the name and the whole membership as the body states them. */
export async function replaceGroup(tx: Tx, ctx: ScimContext, row: TeamRow, raw: unknown) {
  const input = readGroupInput(raw);
  const renamed = await rename(tx, ctx, row, input.displayName);
  await setMembers(tx, ctx, renamed, input.members ?? []);
}

const isMembersPath = (path: string) => normalizePath(path, groupAttributes) === "members";

/**
 * PATCH /Groups/{id}. Membership operations, the bulk of what identity
 * providers send, go straight to team_members (a large group is never loaded
 * to add one person): add/replace/remove on `members`, and remove on
 * `members[<filter>]` (any filter on value, display or type, run in SQL).
 * Everything else is applied by scim-patch to the group's own attributes.
 */
export async function patchGroup(tx: Tx, ctx: ScimContext, row: TeamRow, ops: PatchOperation[]) {
  let team = row;
  const others: PatchOperation[] = [];
  for (const o of ops) {
    if (o.path !== undefined && isMembersPath(o.path)) {
      if (o.op === "add") await addMembers(tx, ctx, team, memberIds(o.value));
      else if (o.op === "replace") await setMembers(tx, ctx, team, memberIds(o.value));
      else if (o.value !== undefined && o.value !== null) await removeMembers(tx, ctx, team, memberIds(o.value));
      else await removeMembers(tx, ctx, team, "all");
    } else if (o.path !== undefined && /^members\s*\[/i.test(normalizePath(o.path, groupAttributes))) {
      if (o.op !== "remove" || !/\]\s*$/.test(o.path))
        throw badRequest("invalidPath", `Only remove takes a members[...] filter; add members with path "members".`);
      const filter = parseFilter(o.path);
      if (filter.op !== "[]") throw badRequest("invalidPath", `${o.path} is not a members filter.`);
      const condition = filterToSql(filter.valFilter, { ...groupAttributes, attributes: memberSubAttributes });
      const matching = await queryRows<{ id: string }>(
        tx,
        sql`select m.identity_id as id from team_members m join identities mp on mp.id = m.identity_id where m.team_id = ${team.id}::uuid and ${condition}`,
      );
      await removeMembers(
        tx,
        ctx,
        team,
        matching.map((m) => m.id),
      );
    } else if (o.path === undefined && isObject(o.value) && keyOf(o.value, "members")) {
      const { [keyOf(o.value, "members")!]: members, ...rest } = o.value;
      if (o.op === "add") await addMembers(tx, ctx, team, memberIds(members));
      else await setMembers(tx, ctx, team, memberIds(members));
      if (Object.keys(rest).length) others.push({ ...o, value: rest });
    } else {
      others.push(o);
    }
  }
  if (others.length) {
    const patched = applyPatch({ schemas: [URN.group], id: team.id, displayName: team.name, meta: {} }, others, URN.group, {
      displayname: "displayName",
      externalid: "externalId",
      id: "id",
    });
    if (typeof patched.displayName !== "string" || patched.displayName.trim() === "") throw badRequest("invalidValue", "displayName is required.");
    team = await rename(tx, ctx, team, patched.displayName.trim());
  }
}

/**
 * DELETE /Groups/{id}: the memberships end (primary teams move on, movers
 * among them), then the team itself; the audit row keeps its name and members.
 */
export async function deleteGroup(tx: Tx, ctx: ScimContext, row: TeamRow) {
  await deleteTeamRow(tx, teamChange(ctx), row);
}
