import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { identities, teams } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import * as membership from "@/lib/teams/membership";
import { notDeletedSql, scimText } from "./attribute-maps";
import { URN, type ScimContext } from "./constants";
import { badRequest } from "./errors";
import { isUuid } from "./resource";

export { nextPrimary } from "@/lib/teams/membership";

type Team = { id: string; name: string };

/** A SCIM change to teams: leaving the team a person's department names keeps it as their primary team. */
export const teamChange = (ctx: ScimContext): membership.TeamChange => ({
  actor: ctx.actor,
  source: ctx.source,
  department: scimText(URN.enterprise, "department"),
});

/** The team a department names (case-insensitively), created when absent and then managed by the identity provider. */
export async function teamForDepartment(tx: Tx, ctx: ScimContext, department: string): Promise<string> {
  const name = department.trim();
  await membership.lockTeamName(tx, name);
  const [found] = await tx
    .select({ id: teams.id })
    .from(teams)
    .where(sql`lower(${teams.name}) = lower(${name}::text)`)
    .orderBy(asc(teams.createdAt))
    .limit(1);
  if (found) return found.id;
  const [created] = await tx.insert(teams).values({ name, managedBy: ctx.source }).onConflictDoNothing().returning({ id: teams.id });
  if (!created) return (await tx.select({ id: teams.id }).from(teams).where(eq(teams.name, name)))[0].id;
  await recordAudit(tx, ctx.actor, {
    action: "team.created",
    entityType: "team",
    entityId: created.id,
    after: { name, source: ctx.source, reason: "department" },
  });
  return created.id;
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

export async function addMembers(tx: Tx, ctx: ScimContext, team: Team, personIds: string[]) {
  return membership.addMembers(tx, teamChange(ctx), team, await checkMembers(tx, personIds));
}

export async function removeMembers(tx: Tx, ctx: ScimContext, team: Team, personIds: string[] | "all") {
  return membership.removeMembers(tx, teamChange(ctx), team, personIds);
}

export async function setMembers(tx: Tx, ctx: ScimContext, team: Team, personIds: string[]) {
  return membership.setMembers(tx, teamChange(ctx), team, await checkMembers(tx, personIds));
}
