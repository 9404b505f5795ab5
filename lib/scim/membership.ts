import { and, asc, eq, inArray, ne, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { identities, teamMembers, teams } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { notDeletedSql, scimText } from "./attribute-maps";
import { URN, type ScimContext } from "./constants";
import { badRequest } from "./errors";
import { lifecycleOf, moveDetails, signal } from "./lifecycle";
import { isUuid } from "./resource";

/** The team a department names (case-insensitively), created when absent. */
export async function teamForDepartment(tx: Tx, ctx: ScimContext, department: string): Promise<string> {
  const name = department.trim();
  const [found] = await tx
    .select({ id: teams.id })
    .from(teams)
    .where(sql`lower(${teams.name}) = lower(${name}::text)`)
    .orderBy(asc(teams.createdAt))
    .limit(1);
  if (found) return found.id;
  const [created] = await tx.insert(teams).values({ name }).onConflictDoNothing().returning({ id: teams.id });
  if (!created) return (await tx.select({ id: teams.id }).from(teams).where(eq(teams.name, name)))[0].id;
  await recordAudit(tx, ctx.actor, {
    action: "team.created",
    entityType: "team",
    entityId: created.id,
    after: { name, source: ctx.source, reason: "department" },
  });
  return created.id;
}

/** Each person's oldest group other than `leaving`, to become their primary team when theirs goes; none for who has no other. */
async function nextPrimaries(tx: Tx, personIds: string[], leaving: string): Promise<Map<string, string>> {
  const rows = await tx
    .selectDistinctOn([teamMembers.identityId], { identityId: teamMembers.identityId, teamId: teamMembers.teamId })
    .from(teamMembers)
    .where(and(inArray(teamMembers.identityId, personIds), ne(teamMembers.teamId, leaving)))
    .orderBy(teamMembers.identityId, asc(teamMembers.createdAt), asc(teamMembers.teamId));
  return new Map(rows.map((r) => [r.identityId, r.teamId]));
}

/** One person's next primary team, when the department they were given goes. */
export async function nextPrimary(tx: Tx, personId: string, leaving: string): Promise<string | null> {
  return (await nextPrimaries(tx, [personId], leaving)).get(personId) ?? null;
}

/** Member ids as people SCIM may see, or 400 invalidValue naming the first that is not. */
export async function checkMembers(tx: Tx, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  const bad = unique.find((id) => !isUuid(id));
  if (bad !== undefined) throw badRequest("invalidValue", `members: ${JSON.stringify(bad)} is not the id of a User.`);
  if (unique.length === 0) return [];
  const found = await tx
    .select({ id: identities.id })
    .from(identities)
    .where(and(inArray(identities.id, unique), eq(identities.kind, "human"), notDeletedSql));
  const ok = new Set(found.map((f) => f.id));
  const missing = unique.find((id) => !ok.has(id));
  if (missing) throw badRequest("invalidValue", `members: no User with id ${JSON.stringify(missing)}.`);
  return unique;
}

const touchTeam = (tx: Tx, teamId: string) => tx.update(teams).set({ updatedAt: new Date() }).where(eq(teams.id, teamId));

/** Adds people to a group; a person without a primary team gets this one (not a move). */
export async function addMembers(tx: Tx, ctx: ScimContext, team: { id: string; name: string }, personIds: string[]): Promise<string[]> {
  const ids = await checkMembers(tx, personIds);
  if (ids.length === 0) return [];
  const added = (
    await tx
      .insert(teamMembers)
      .values(ids.map((identityId) => ({ teamId: team.id, identityId })))
      .onConflictDoNothing()
      .returning({ id: teamMembers.identityId })
  ).map((r) => r.id);
  if (added.length === 0) return [];
  const now = new Date();
  const homed = await tx
    .update(identities)
    .set({ teamId: team.id, updatedAt: now })
    .where(and(inArray(identities.id, added), sql`${identities.teamId} is null`))
    .returning({ id: identities.id });
  await tx.update(identities).set({ updatedAt: now }).where(inArray(identities.id, added));
  await touchTeam(tx, team.id);
  await recordAudit(tx, ctx.actor, [
    { action: "team.members_added", entityType: "team", entityId: team.id, after: { name: team.name, identityIds: added, source: ctx.source } },
    ...homed.map((h) => ({
      action: "identity.updated" as const,
      entityType: "identity",
      entityId: h.id,
      before: { teamId: null },
      after: { teamId: team.id, source: ctx.source, reason: `joined ${team.name}` },
    })),
  ]);
  return added;
}

/**
 * Removes people from a group. Whoever had it as primary team moves to their
 * oldest other group (or none), unless the department the identity provider
 * wrote names this team; an active person whose primary team changed is a mover.
 */
export async function removeMembers(tx: Tx, ctx: ScimContext, team: { id: string; name: string }, personIds: string[] | "all"): Promise<string[]> {
  if (personIds !== "all" && personIds.length === 0) return [];
  const removed = (
    await tx
      .delete(teamMembers)
      .where(and(eq(teamMembers.teamId, team.id), personIds === "all" ? undefined : inArray(teamMembers.identityId, personIds.filter(isUuid))))
      .returning({ id: teamMembers.identityId })
  ).map((r) => r.id);
  if (removed.length === 0) return [];
  await recordAudit(tx, ctx.actor, {
    action: "team.members_removed",
    entityType: "team",
    entityId: team.id,
    before: { identityIds: removed },
    after: { name: team.name, source: ctx.source },
  });
  await touchTeam(tx, team.id);
  await tx.update(identities).set({ updatedAt: new Date() }).where(inArray(identities.id, removed));
  await rehomePrimary(tx, ctx, team, removed);
  return removed;
}

/** People whose primary team is `team` and who no longer belong to it get their next one. */
export async function rehomePrimary(tx: Tx, ctx: ScimContext, team: { id: string; name: string }, personIds: string[], opts: { teamGone?: boolean } = {}) {
  if (personIds.length === 0) return;
  const department = scimText(URN.enterprise, "department");
  const homed = (
    await tx
      .select({
        id: identities.id,
        status: identities.status,
        managerId: identities.managerId,
        teamId: identities.teamId,
        pinned: sql<boolean>`coalesce(lower(${department}) = lower(${team.name}::text), false)`,
      })
      .from(identities)
      .where(and(inArray(identities.id, personIds), eq(identities.teamId, team.id)))
  ).filter((person) => opts.teamGone || !person.pinned);
  if (homed.length === 0) return;
  // A large group leaving: one lookup and one update per next team, not a round of queries per person.
  const next = await nextPrimaries(
    tx,
    homed.map((p) => p.id),
    team.id,
  );
  const nextOf = (id: string) => next.get(id) ?? null;
  const byNext = new Map<string | null, string[]>();
  for (const p of homed) byNext.set(nextOf(p.id), [...(byNext.get(nextOf(p.id)) ?? []), p.id]);
  const now = new Date();
  for (const [teamId, ids] of byNext) await tx.update(identities).set({ teamId, updatedAt: now }).where(inArray(identities.id, ids));
  for (const person of homed) {
    await recordAudit(tx, ctx.actor, {
      action: "identity.updated",
      entityType: "identity",
      entityId: person.id,
      before: { teamId: team.id },
      after: { teamId: nextOf(person.id), source: ctx.source, reason: `left ${team.name}` },
    });
    const before = { status: person.status, managerId: person.managerId, teamId: person.teamId };
    const after = { ...before, teamId: nextOf(person.id), active: person.status === "active" };
    if (lifecycleOf(before, after) === "mover") await signal(tx, ctx, person.id, "mover", { ...moveDetails(before, after), reason: `left ${team.name}` });
  }
}
