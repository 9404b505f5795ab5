import { and, asc, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { outer } from "@/db/rows";
import { auditLog, eligibilityPolicies, identities, teamMembers, teams } from "@/db/schema";
import { auditedTransaction, recordAudit } from "@/lib/audit/record";
import { actorOf, requireRole, type Caller } from "@/lib/caller";
import { ConflictError, NotFoundError, ValidationError, isUniqueViolation, parseInput } from "@/lib/errors";
import { activePeopleAmong } from "@/lib/identities/people";
import { text } from "@/lib/validation/fields";
import { addMembers, deleteTeamRow, lockTeamName, removeMembers, type TeamChange } from "./membership";

const name = text().trim().min(1, "Name the team.").max(200, "Keep the team's name under 200 characters.");
const people = (max: number) =>
  z
    .array(
      z.uuid("Each member must be a person's id.").transform((id) => id.toLowerCase()),
      { message: "List the members' ids." },
    )
    .max(max, `At most ${max.toLocaleString("en")} people at once.`);

export const teamInput = z.object({ name, memberIds: people(1000).default([]) }).strict();
export const teamPatch = z.object({ name }).strict();
export const membersInput = z.object({ identityIds: people(1000).min(1, "Choose at least one person.") }).strict();

const uuid = z.uuid();
const changeBy = (caller: Caller): TeamChange => ({ actor: actorOf(caller), source: "admin" });

/** Eligibility policies still in force that name the team, for deciding whether it may go. */
const policiesNaming = (teamId: string) =>
  and(
    sql`${eligibilityPolicies.archivedAt} is null`,
    sql`(${teamId}::uuid = any(${eligibilityPolicies.teamIds}) or ${teamId}::uuid = any(${eligibilityPolicies.autoApproveTeamIds}))`,
  );

/** Teams with their members and live NHIs, for the admin screens. Admins and auditors. */
export async function listTeams(db: Tx, caller: Caller) {
  requireRole(caller, "admin", "auditor");
  return db
    .select({
      id: teams.id,
      name: teams.name,
      managedBy: teams.managedBy,
      members: sql<number>`(select count(*) from ${teamMembers} m where m.team_id = ${outer(teams.id)})`.mapWith(Number),
      // The non-human identities placed in the team (the team that runs them), not counting people.
      nhis: sql<number>`(select count(*) from ${identities} n where n.team_id = ${outer(teams.id)} and n.kind <> 'human' and n.status <> 'decommissioned')`.mapWith(
        Number,
      ),
    })
    .from(teams)
    .orderBy(sql`lower(${teams.name})`, asc(teams.id));
}

/** One team: its members (primary team or not) and the eligibility policies that name it. */
export async function getTeam(db: Tx, caller: Caller, id: string) {
  requireRole(caller, "admin", "auditor");
  const team = await findTeam(db, id);
  const [members, policies] = await Promise.all([
    db
      .select({
        id: identities.id,
        displayName: identities.displayName,
        email: identities.email,
        title: identities.title,
        status: identities.status,
        primary: sql<boolean>`${identities.teamId} = ${team.id}::uuid`,
      })
      .from(teamMembers)
      .innerJoin(identities, eq(identities.id, teamMembers.identityId))
      .where(eq(teamMembers.teamId, team.id))
      .orderBy(asc(identities.displayName), asc(identities.id)),
    db
      .select({ id: eligibilityPolicies.id, name: eligibilityPolicies.name })
      .from(eligibilityPolicies)
      .where(policiesNaming(team.id))
      .orderBy(asc(eligibilityPolicies.name)),
  ]);
  return { team, members, policies };
}

/**
 * The name of a team deleted under this id, from the audit row of its
 * deletion: the page confirms a deletion that happened, never a name a link
 * put in the address.
 */
export async function deletedTeamName(db: Tx, caller: Caller, id: string): Promise<string | null> {
  requireRole(caller, "admin", "auditor");
  if (!uuid.safeParse(id).success) return null;
  const [row] = await db
    .select({ name: sql<string | null>`${auditLog.before}->>'name'` })
    .from(auditLog)
    .where(and(eq(auditLog.action, "team.deleted"), eq(auditLog.entityType, "team"), eq(auditLog.entityId, id)))
    .limit(1);
  return row?.name ?? null;
}

async function findTeam(tx: Tx, id: string, opts: { lock?: boolean } = {}) {
  if (!uuid.safeParse(id).success) throw new NotFoundError("Team");
  const q = tx.select().from(teams).where(eq(teams.id, id));
  const [row] = opts.lock ? await q.for("update") : await q;
  if (!row) throw new NotFoundError("Team");
  return row;
}

/**
 * A team the app may change, locked for the rest of the transaction. One its
 * identity provider manages is changed there: the next sync would undo a
 * change made here.
 */
async function teamToChange(tx: Tx, id: string) {
  const team = await findTeam(tx, id, { lock: true });
  if (team.managedBy)
    throw new ConflictError(
      `“${team.name}” is managed by your identity provider (${team.managedBy}); change it there, since its next sync would undo a change made here.`,
    );
  return team;
}

const takenName = (value: string) => new ConflictError(`A team named “${value}” exists already. Choose another name, or edit that one.`);

/** Team names are unique whatever their case: "Payments" and "payments" would be one team to a reader. */
async function refuseTakenName(tx: Tx, value: string, exceptId?: string) {
  // Two writers naming a team alike at once (admins, an identity provider): the second waits here and then sees the first.
  await lockTeamName(tx, value);
  const [clash] = await tx
    .select({ id: teams.id })
    .from(teams)
    .where(and(sql`lower(${teams.name}) = lower(${value}::text)`, exceptId ? ne(teams.id, exceptId) : undefined));
  if (clash) throw takenName(value);
}

/** The ids must be active people: a departed person or an NHI belongs to no team. */
async function activePeople(tx: Tx, field: string, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  const found = await activePeopleAmong(tx, unique);
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length)
    throw new ValidationError({
      [field]: [`Not an active person: ${missing.slice(0, 3).join(", ")}${missing.length > 3 ? ` and ${missing.length - 3} more` : ""}.`],
    });
  return unique;
}

/** Admins define a team (and who is in it) that no identity provider pushes. Audited. */
export async function createTeam(db: Db, caller: Caller, raw: unknown) {
  requireRole(caller, "admin");
  const input = parseInput(teamInput, raw);
  return auditedTransaction(db, async (tx) => {
    await refuseTakenName(tx, input.name);
    const members = await activePeople(tx, "memberIds", input.memberIds);
    const [row] = await tx.insert(teams).values({ name: input.name }).onConflictDoNothing().returning();
    if (!row) throw takenName(input.name);
    await recordAudit(tx, actorOf(caller), { action: "team.created", entityType: "team", entityId: row.id, after: { name: row.name, source: "admin" } });
    await addMembers(tx, changeBy(caller), row, members);
    return row;
  });
}

/** Renames a team the app manages. */
export async function renameTeam(db: Db, caller: Caller, id: string, raw: unknown) {
  requireRole(caller, "admin");
  const input = parseInput(teamPatch, raw);
  return auditedTransaction(db, async (tx) => {
    const team = await teamToChange(tx, id);
    if (input.name === team.name) return team;
    await refuseTakenName(tx, input.name, team.id);
    const [renamed] = await tx
      .update(teams)
      .set({ name: input.name, updatedAt: new Date() })
      .where(eq(teams.id, team.id))
      .returning()
      .catch((e: unknown) => {
        // Only a writer outside the name lock (none today) could get here first; the unique index says so.
        if (isUniqueViolation(e)) throw takenName(input.name);
        throw e;
      });
    await recordAudit(tx, actorOf(caller), {
      action: "team.renamed",
      entityType: "team",
      entityId: team.id,
      before: { name: team.name },
      after: { name: input.name, source: "admin" },
    });
    return renamed;
  });
}

/** Adds active people to a team; who has no primary team gets this one. Answers who was added (those already in it are not). */
export async function addTeamMembers(db: Db, caller: Caller, id: string, raw: unknown) {
  requireRole(caller, "admin");
  const input = parseInput(membersInput, raw);
  return auditedTransaction(db, async (tx) => {
    const team = await teamToChange(tx, id);
    const added = await addMembers(tx, changeBy(caller), team, await activePeople(tx, "identityIds", input.identityIds));
    return { added };
  });
}

/** Takes a person out of a team: if it was their primary team they move to their oldest other one, an active person's move being a mover event. */
export async function removeTeamMember(db: Db, caller: Caller, id: string, personId: string) {
  requireRole(caller, "admin");
  return auditedTransaction(db, async (tx) => {
    const team = await teamToChange(tx, id);
    if (!uuid.safeParse(personId).success) throw new NotFoundError("Member");
    const removed = await removeMembers(tx, changeBy(caller), team, [personId]);
    if (removed.length === 0) throw new NotFoundError("Member");
    return { removed };
  });
}

/** Deletes a team the app manages, unless an eligibility policy in force still names it (its members would silently lose or gain eligibility). */
export async function deleteTeam(db: Db, caller: Caller, id: string) {
  requireRole(caller, "admin");
  return auditedTransaction(db, async (tx) => {
    const team = await teamToChange(tx, id);
    const naming = await tx
      .select({ name: eligibilityPolicies.name })
      .from(eligibilityPolicies)
      .where(policiesNaming(team.id))
      .orderBy(asc(eligibilityPolicies.name));
    if (naming.length)
      throw new ConflictError(
        `“${team.name}” is named by ${naming.length === 1 ? "the eligibility policy" : "the eligibility policies"} ${naming.map((p) => `“${p.name}”`).join(", ")}; take it out of ${naming.length === 1 ? "that policy" : "them"} (or archive ${naming.length === 1 ? "it" : "them"}) first.`,
      );
    await deleteTeamRow(tx, changeBy(caller), team);
    return { deleted: team.id };
  });
}
