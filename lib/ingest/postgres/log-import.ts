import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { entitlements, grants, issuedCredentials, systems } from "@/db/schema";
import { actorOf, requireRole, type Caller } from "@/lib/caller";
import { ValidationError, parseInput } from "@/lib/errors";
import { importUsage, importUsageBody, type UsageImportSummary } from "@/lib/usage/import";
import { systemPrincipals } from "@/lib/usage/principals";
import type { UsageSource } from "@/lib/usage/source";
import { classifyPgLogEntry, parsePgLog, readPgLog } from "./log";
import { systemName } from "../live-source";

const PG_LOG_SOURCE = "pg-log";

/**
 * The server's login roles, by name, and the login roles the product issued
 * for JIT grants on it: what those did is the grant holder's, linked to the
 * grant (whoever the holder is, a person or an NHI of another system).
 */
async function principalIndex(db: Db, name: string) {
  const index = await systemPrincipals(db, {
    // As pg-roles keys the server it brought in: a renamed system keeps its logs.
    where: and(eq(systems.kind, "database"), eq(systems.externalId, name))!,
    missing: new ValidationError({ system: [`No database system ${name} in the inventory: import its roles first.`] }),
    name,
    keyOf: (r) => (r.externalId ?? r.name).toLowerCase(),
  });
  const issued = await db
    .select({ username: issuedCredentials.username, identityId: grants.identityId })
    .from(issuedCredentials)
    .innerJoin(grants, eq(grants.id, issuedCredentials.grantId))
    .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
    .where(eq(entitlements.systemId, index.systemId));
  for (const c of issued) index.identities.set(c.username.toLowerCase(), { identityId: c.identityId, systemId: index.systemId });
  return index;
}

const pgLogSource = (system: string): UsageSource => ({
  tag: `${PG_LOG_SOURCE}:${system}`,
  read: readPgLog as UsageSource["read"],
  classify: classifyPgLogEntry as UsageSource["classify"],
  principals: (db) => principalIndex(db, system),
  // Its sessions, logins and statements are evidence linked to the grant (a JIT grant first) that covered them.
  sessions: true,
});

/** Imports a server's pgaudit log files through the shared usage pipeline. */
export async function importPgLog(db: Db, input: { system: unknown; paths: string[] }, opts?: Parameters<typeof importUsage>[3]): Promise<UsageImportSummary> {
  const { system } = parseInput(z.object({ system: systemName }), { system: input.system });
  return importUsage(db, pgLogSource(system), input.paths, opts);
}

/** Log lines sent over the API (POST /api/v1/imports/pg-log?system=…, jsonlog or csvlog as the server writes them), for an admin. */
export async function importPgLogBy(db: Db, caller: Caller, system: unknown, body: string): Promise<UsageImportSummary> {
  requireRole(caller, "admin");
  const name = parseInput(z.object({ system: systemName }), { system }).system;
  return importUsageBody(db, pgLogSource(name), body, parsePgLog, actorOf(caller));
}
