import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { type Actor, auditedTransaction, recordAudit, SYSTEM_ACTOR } from "@/lib/audit/record";
import { actorOf, requireRole, type Caller } from "@/lib/caller";
import { parseInput } from "@/lib/errors";
import { requestReconciliation } from "@/lib/findings/refresh";
import { defaultPrivilegeStatement, postgresLevel, privilegeStatements } from "@/lib/permissions/postgres/model";
import { liveSourceInput, systemName } from "../live-source";
import { importedSystem, syncEntitlements, syncGrants, syncIdentities, type Counts, type DesiredEntitlement } from "../inventory";
import { readPostgresRoles, type PgRole } from "./roles";

export const PG_ROLES_SOURCE = "pg-roles";

export type PgRolesImportSummary = {
  system: string;
  systemId: string;
  systemCreated: boolean;
  loginRoles: Counts;
  entitlements: Counts;
  grants: { added: number; kept: number; removed: number };
};

/** Role attributes as entitlements: holding one is access to review like any other. */
const attributeRef = (attribute: string) => `attribute:${attribute.toLowerCase()}`;
/** What a login role holds in its own name, besides its memberships. */
const directRef = (role: string) => `direct:${role}`;

/**
 * The inventory as the server states it: group roles (those that cannot log
 * in) become entitlements named by the role (so the PostgreSQL connector
 * grants exactly them), holding their table privileges; each role attribute
 * (SUPERUSER, CREATEROLE, BYPASSRLS admin-level) and each login role's direct
 * privileges are entitlements too; login roles become identities with grants
 * for their memberships, attributes and direct privileges.
 */
function inventoryOfRoles(roles: PgRole[]) {
  const desired = new Map<string, DesiredEntitlement>();
  const held: { role: string; ref: string }[] = [];
  for (const r of roles) {
    if (!r.canLogin) {
      const actions = [...r.privileges, ...r.attributes.map((a) => `:${a}`)];
      const defaults = r.defaultPrivileges.map(defaultPrivilegeStatement);
      desired.set(r.name, {
        ref: r.name,
        name: r.name,
        description: `PostgreSQL role ${r.name}`,
        statements: [...privilegeStatements(actions), ...defaults],
        level: postgresLevel([...actions, ...defaults.flatMap((d) => d.actions ?? [])]),
      });
    }
  }
  for (const r of roles) {
    if (!r.canLogin) continue;
    for (const group of r.memberOf) if (desired.has(group)) held.push({ role: r.name, ref: group });
    for (const a of r.attributes) {
      const ref = attributeRef(a);
      if (!desired.has(ref))
        desired.set(ref, { ref, name: a, description: `The ${a} role attribute`, statements: privilegeStatements([`:${a}`]), level: postgresLevel([`:${a}`]) });
      held.push({ role: r.name, ref });
    }
    if (r.privileges.length || r.defaultPrivileges.length) {
      const ref = directRef(r.name);
      const defaults = r.defaultPrivileges.map(defaultPrivilegeStatement);
      desired.set(ref, {
        ref,
        name: `${r.name} (direct privileges)`,
        description: `Privileges granted to the login role ${r.name} itself`,
        statements: [...privilegeStatements(r.privileges), ...defaults],
        level: postgresLevel([...r.privileges, ...defaults.flatMap((d) => d.actions ?? [])]),
      });
      held.push({ role: r.name, ref });
    }
  }
  return { desired, held, logins: roles.filter((r) => r.canLogin) };
}

export async function importPostgresRoles(db: Db, input: { system: unknown; url: string; actor?: Actor }): Promise<PgRolesImportSummary> {
  const { system: name } = parseInput(z.object({ system: systemName }), { system: input.system });
  const { desired, held, logins } = inventoryOfRoles(await readPostgresRoles(input.url));
  const actor = input.actor ?? { ...SYSTEM_ACTOR, label: `import: ${PG_ROLES_SOURCE}` };
  return auditedTransaction(db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7244013, hashtext(${name}))`);
    const { system, created } = await importedSystem(tx, actor, {
      kind: "database",
      externalId: name,
      name,
      description: `PostgreSQL server ${name}, imported from its roles`,
      source: PG_ROLES_SOURCE,
    });
    const now = new Date();
    const ents = await syncEntitlements(tx, actor, system.id, desired.values(), PG_ROLES_SOURCE, now);
    const ids = await syncIdentities(
      tx,
      actor,
      system.id,
      logins.map((r) => ({
        externalId: r.name,
        kind: "service_account" as const,
        name: r.name,
        displayName: r.name,
        purpose: null,
        ownerId: null,
        attributes: { source: PG_ROLES_SOURCE, attributes: r.attributes },
        createdAt: null,
      })),
      { source: PG_ROLES_SOURCE, goneReason: "No longer a role on the server", at: now },
    );
    const grants = await syncGrants(
      tx,
      actor,
      system.id,
      held.map((h) => ({ identityId: ids.idOf.get(h.role)!, entitlementId: ents.idByRef.get(h.ref)! })),
      {
        source: PG_ROLES_SOURCE,
        ref: `${PG_ROLES_SOURCE}:${name}`,
        reason: `Held on ${name} at import`,
        endReason: "No longer held on the server (import)",
        at: now,
      },
    );
    await requestReconciliation(tx);
    await recordAudit(tx, actor, {
      action: "import.pg_roles",
      entityType: "system",
      entityId: system.id,
      after: { system: name, loginRoles: ids.summary, entitlements: ents.summary, grants, source: PG_ROLES_SOURCE },
    });
    return { system: name, systemId: system.id, systemCreated: created, loginRoles: ids.summary, entitlements: ents.summary, grants };
  });
}

/**
 * The import through the API (POST /api/v1/imports/pg-roles), for an admin:
 * the server is named by an environment variable of the app's (as the
 * PostgreSQL connector names its target), never by a URL in the request, so
 * the API cannot be pointed at an arbitrary host.
 */
export async function importPostgresRolesBy(db: Db, caller: Caller, raw: unknown): Promise<PgRolesImportSummary> {
  requireRole(caller, "admin");
  return importPostgresRoles(db, { ...liveSourceInput(raw), actor: actorOf(caller) });
}
