import { and, asc, eq, inArray, ne, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "@/db/client";
import { identities, teamMembers, teams } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { lifecycleOf, moveDetails, signal, type PlacementChange } from "@/lib/lifecycle/placement";

/**
 * Team membership and primary teams, one implementation for every way a team
 * changes (an identity provider over SCIM, an admin in the app): people join
 * and leave, whoever loses their primary team moves to their oldest other
 * one, and an active person whose primary team changed is a mover.
 */
export type TeamChange = PlacementChange & {
  /**
   * The department a person's identity provider last wrote for them, when it
   * keeps one: leaving the team it names does not move their primary team,
   * since the provider still places them there.
   */
  department?: SQL;
};

export type TeamRef = { id: string; name: string };

const uuid = z.uuid();
const isUuid = (v: string) => uuid.safeParse(v).success;

/** Each person's oldest team other than `leaving`, to become their primary team when theirs goes; none for who has no other. */
async function nextPrimaries(tx: Tx, personIds: string[], leaving: string): Promise<Map<string, string>> {
  const rows = await tx
    .selectDistinctOn([teamMembers.identityId], { identityId: teamMembers.identityId, teamId: teamMembers.teamId })
    .from(teamMembers)
    .where(and(inArray(teamMembers.identityId, personIds), ne(teamMembers.teamId, leaving)))
    .orderBy(teamMembers.identityId, asc(teamMembers.createdAt), asc(teamMembers.teamId));
  return new Map(rows.map((r) => [r.identityId, r.teamId]));
}

/** One person's next primary team, when the team they were placed in goes. */
export async function nextPrimary(tx: Tx, personId: string, leaving: string): Promise<string | null> {
  return (await nextPrimaries(tx, [personId], leaving)).get(personId) ?? null;
}

/**
 * Serialises the writes of one team name, whatever its case, across every
 * path that names a team (the app, SCIM groups and departments): the name
 * check that follows then sees what a concurrent writer committed.
 */
export async function lockTeamName(tx: Tx, name: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`team:${name.toLowerCase()}`}::text))`);
}

const touchTeam = (tx: Tx, teamId: string) => tx.update(teams).set({ updatedAt: new Date() }).where(eq(teams.id, teamId));

/** Adds people (already checked to be people) to a team; who has no primary team gets this one (not a move). */
export async function addMembers(tx: Tx, change: TeamChange, team: TeamRef, personIds: string[]): Promise<string[]> {
  const ids = [...new Set(personIds)];
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
  await recordAudit(tx, change.actor, [
    { action: "team.members_added", entityType: "team", entityId: team.id, after: { name: team.name, identityIds: added, source: change.source } },
    ...homed.map((h) => ({
      action: "identity.updated" as const,
      entityType: "identity",
      entityId: h.id,
      before: { teamId: null },
      after: { teamId: team.id, source: change.source, reason: `joined ${team.name}` },
    })),
  ]);
  return added;
}

/**
 * Removes people from a team. Whoever had it as primary team moves to their
 * oldest other team (or none), unless their identity provider's department
 * names this team; an active person whose primary team changed is a mover.
 */
export async function removeMembers(tx: Tx, change: TeamChange, team: TeamRef, personIds: string[] | "all"): Promise<string[]> {
  if (personIds !== "all" && personIds.length === 0) return [];
  const removed = (
    await tx
      .delete(teamMembers)
      .where(and(eq(teamMembers.teamId, team.id), personIds === "all" ? undefined : inArray(teamMembers.identityId, personIds.filter(isUuid))))
      .returning({ id: teamMembers.identityId })
  ).map((r) => r.id);
  if (removed.length === 0) return [];
  await recordAudit(tx, change.actor, {
    action: "team.members_removed",
    entityType: "team",
    entityId: team.id,
    before: { identityIds: removed },
    after: { name: team.name, source: change.source },
  });
  await touchTeam(tx, team.id);
  await tx.update(identities).set({ updatedAt: new Date() }).where(inArray(identities.id, removed));
  await rehomePrimary(tx, change, team, removed);
  return removed;
}

/** Sets a team's whole membership: who is not listed leaves, who is listed joins. */
export async function setMembers(tx: Tx, change: TeamChange, team: TeamRef, personIds: string[]) {
  const keep = new Set(personIds);
  const current = (await tx.select({ id: teamMembers.identityId }).from(teamMembers).where(eq(teamMembers.teamId, team.id))).map((m) => m.id);
  await removeMembers(
    tx,
    change,
    team,
    current.filter((id) => !keep.has(id)),
  );
  await addMembers(tx, change, team, personIds);
}

/** People whose primary team is `team` and who no longer belong to it get their next one. */
export async function rehomePrimary(tx: Tx, change: TeamChange, team: TeamRef, personIds: string[], opts: { teamGone?: boolean } = {}) {
  if (personIds.length === 0) return;
  const pinned = change.department ? sql<boolean>`coalesce(lower(${change.department}) = lower(${team.name}::text), false)` : sql<boolean>`false`;
  const homed = (
    await tx
      .select({ id: identities.id, kind: identities.kind, status: identities.status, managerId: identities.managerId, teamId: identities.teamId, pinned })
      .from(identities)
      .where(and(inArray(identities.id, personIds), eq(identities.teamId, team.id)))
  ).filter((person) => opts.teamGone || !person.pinned);
  if (homed.length === 0) return;
  // A large team leaving: one lookup and one update per next team, not a round of queries per person.
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
    await recordAudit(tx, change.actor, {
      action: "identity.updated",
      entityType: "identity",
      entityId: person.id,
      before: { teamId: team.id },
      after: { teamId: nextOf(person.id), source: change.source, reason: `left ${team.name}` },
    });
    const before = { status: person.status, managerId: person.managerId, teamId: person.teamId };
    const after = { ...before, teamId: nextOf(person.id), active: person.status === "active" };
    // An NHI placed in a team that goes keeps its owner and access: only a person moves.
    if (person.kind === "human" && lifecycleOf(before, after) === "mover")
      await signal(tx, change, person.id, "mover", { ...moveDetails(before, after), reason: `left ${team.name}` });
  }
}

/**
 * A team goes: its memberships end (primary teams move on, movers among them),
 * people placed in it without a membership move on too, the NHIs it runs are
 * left without a team (each audited), then the team itself; the audit row
 * keeps its name and members.
 */
export async function deleteTeamRow(tx: Tx, change: TeamChange, team: TeamRef) {
  const removed = await removeMembers(tx, change, team, "all");
  const homed = (await tx.select({ id: identities.id }).from(identities).where(eq(identities.teamId, team.id))).map((p) => p.id);
  await rehomePrimary(tx, change, team, homed, { teamGone: true });
  await tx.delete(teams).where(eq(teams.id, team.id));
  await recordAudit(tx, change.actor, {
    action: "team.deleted",
    entityType: "team",
    entityId: team.id,
    before: { name: team.name, identityIds: removed },
    after: { source: change.source },
  });
}
