import { and, asc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { identities, teamMembers, teams } from "@/db/schema";
import { notDeletedSql, userAttributes } from "./attribute-maps";
import { URN } from "./constants";
import { notFound } from "./errors";
import { filterToSql, parseFilter } from "./filter";
import { compact, isObject, isUuid, versionOf, type ScimResource } from "./resource";

export type PersonRow = typeof identities.$inferSelect;
type Related = { teamName: string | null; managerName: string | null; groups: { id: string; name: string }[] };

/** Attributes kept in columns (or derived): the stored document never speaks for them. */
export const COLUMN_ATTRIBUTES = ["id", "meta", "schemas", "groups", "userName", "externalId", "displayName", "title", "active", "emails", "password"];
/** Our own marks beside the document the identity provider wrote. */
export const INTERNAL_KEYS = ["deleted"];

/** The document the identity provider last wrote for this person ({} for people it never touched). */
export function storedDocument(row: Pick<PersonRow, "attributes">): Record<string, unknown> {
  const scim = row.attributes?.scim;
  return isObject(scim) ? scim : {};
}

/** One person, unless missing, an NHI or deleted through SCIM; `lock` takes the row for a change. */
export async function findPerson(tx: Tx, id: string, opts: { lock?: boolean } = {}): Promise<PersonRow> {
  if (!isUuid(id)) throw notFound("User", id);
  const q = tx
    .select()
    .from(identities)
    .where(and(eq(identities.id, id), eq(identities.kind, "human"), notDeletedSql));
  const [row] = opts.lock ? await q.for("update") : await q;
  if (!row) throw notFound("User", id);
  return row;
}

/** What GET shows beside the row: primary team, manager's name, group memberships. */
export async function relatedOf(tx: Tx, rows: PersonRow[]): Promise<Map<string, Related>> {
  const ids = rows.map((r) => r.id);
  const teamIds = [...new Set(rows.map((r) => r.teamId).filter((t): t is string => !!t))];
  const managerIds = [...new Set(rows.map((r) => r.managerId).filter((m): m is string => !!m))];
  const [teamRows, managerRows, memberRows] = ids.length
    ? await Promise.all([
        teamIds.length ? tx.select({ id: teams.id, name: teams.name }).from(teams).where(inArray(teams.id, teamIds)) : [],
        managerIds.length ? tx.select({ id: identities.id, name: identities.displayName }).from(identities).where(inArray(identities.id, managerIds)) : [],
        tx
          .select({ identityId: teamMembers.identityId, id: teams.id, name: teams.name })
          .from(teamMembers)
          .innerJoin(teams, eq(teams.id, teamMembers.teamId))
          .where(inArray(teamMembers.identityId, ids))
          .orderBy(asc(teamMembers.createdAt), asc(teams.name)),
      ])
    : [[], [], []];
  const teamName = new Map(teamRows.map((t) => [t.id, t.name]));
  const managerName = new Map(managerRows.map((m) => [m.id, m.name]));
  const related = new Map<string, Related>();
  for (const r of rows) {
    related.set(r.id, {
      teamName: r.teamId ? (teamName.get(r.teamId) ?? null) : null,
      managerName: r.managerId ? (managerName.get(r.managerId) ?? null) : null,
      groups: [],
    });
  }
  // A page holds up to 1,000 people: place each membership once, rather than scanning them all per person.
  for (const m of memberRows) related.get(m.identityId)!.groups.push({ id: m.id, name: m.name });
  return related;
}

export const userNameOf = (row: PersonRow) => {
  const stored = storedDocument(row).userName;
  return typeof stored === "string" && stored ? stored : (row.email ?? row.name);
};

/** The person as a SCIM User: the identity provider's document with the columns laid over it. */
export function userResource(row: PersonRow, related: Related, baseUrl: string): ScimResource {
  const doc = storedDocument(row);
  const rest: Record<string, unknown> = {};
  const extensions: Record<string, Record<string, unknown>> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (COLUMN_ATTRIBUTES.includes(key) || INTERNAL_KEYS.includes(key)) continue;
    if (key.toLowerCase().startsWith("urn:") && isObject(value)) extensions[key] = { ...value };
    else rest[key] = value;
  }
  const enterprise = { ...(extensions[URN.enterprise] ?? {}) };
  delete enterprise.manager;
  delete enterprise.department;
  if (related.teamName) enterprise.department = related.teamName;
  if (row.managerId)
    enterprise.manager = compact({ value: row.managerId, $ref: `${baseUrl}/Users/${row.managerId}`, displayName: related.managerName ?? undefined });
  if (Object.keys(enterprise).length) extensions[URN.enterprise] = enterprise;
  else delete extensions[URN.enterprise];

  const emails = Array.isArray(doc.emails) ? doc.emails : row.email ? [{ value: row.email, type: "work", primary: true }] : undefined;
  const { name, ...others } = rest;
  const resource = compact({
    schemas: [URN.user, ...Object.keys(extensions)],
    id: row.id,
    externalId: row.externalId ?? undefined,
    userName: userNameOf(row),
    name,
    displayName: row.displayName,
    ...others,
    title: row.title ?? undefined,
    emails,
    active: row.status === "active",
    groups: related.groups.map((g) => ({ value: g.id, $ref: `${baseUrl}/Groups/${g.id}`, display: g.name, type: "direct" })),
    ...extensions,
  }) as Record<string, unknown>;
  const meta = {
    resourceType: "User",
    created: row.createdAt.toISOString(),
    lastModified: row.updatedAt.toISOString(),
    location: `${baseUrl}/Users/${row.id}`,
    version: "",
  };
  meta.version = versionOf(resource);
  return { ...resource, meta } as ScimResource;
}

export async function getUser(tx: Tx, id: string, baseUrl: string, opts: { lock?: boolean } = {}) {
  const row = await findPerson(tx, id, opts);
  const related = await relatedOf(tx, [row]);
  return { row, resource: userResource(row, related.get(row.id)!, baseUrl) };
}

/** One page of people matching the filter, oldest first; the filter runs in the database. */
export async function listUsers(tx: Tx, query: { filter?: string; startIndex: number; count: number }, baseUrl: string) {
  const conditions: SQL[] = [sql`${identities.kind} = 'human'`, notDeletedSql];
  if (query.filter) conditions.push(filterToSql(parseFilter(query.filter), userAttributes));
  const where = and(...conditions);
  const [{ total }] = await tx
    .select({ total: sql<number>`count(*)::int` })
    .from(identities)
    .where(where);
  const rows =
    query.count > 0
      ? await tx
          .select()
          .from(identities)
          .where(where)
          .orderBy(asc(identities.createdAt), asc(identities.id))
          .limit(query.count)
          .offset(query.startIndex - 1)
      : [];
  const related = await relatedOf(tx, rows);
  return { total, resources: rows.map((r) => userResource(r, related.get(r.id)!, baseUrl)) };
}
