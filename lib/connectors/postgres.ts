import { and, eq, inArray, ne, sql } from "drizzle-orm";
import postgres from "postgres";
import { entitlements, findings, grantIsActive, grants, identities } from "@/db/schema";
import { findingKey, raiseFindings, resolveFindings, type FindingInput } from "@/lib/findings/raise";
import { DeliveryError, type ConnectorDriver, type ConnectorRow } from "./types";

type PostgresConfig = { url?: string; urlEnv?: string };

/** The target's connection string: given, or read from an environment variable so the secret stays out of the database. */
function targetUrl(connector: ConnectorRow): string {
  const config = connector.config as PostgresConfig;
  const url = config.urlEnv ? process.env[config.urlEnv] : config.url;
  if (!url) throw new DeliveryError(config.urlEnv ? `environment variable ${config.urlEnv} is not set` : "no connection URL configured");
  return url;
}

async function withTarget<T>(connector: ConnectorRow, fn: (target: postgres.Sql) => Promise<T>): Promise<T> {
  const target = postgres(targetUrl(connector), { max: 1, connect_timeout: 10, idle_timeout: 5, onnotice: () => {} });
  try {
    return await fn(target);
  } catch (error) {
    if (error instanceof DeliveryError) throw error;
    throw new DeliveryError(`target PostgreSQL: ${(error as Error).message}`);
  } finally {
    await target.end({ timeout: 5 });
  }
}

/** Database role names: an identity's external id (its role) or name; an entitlement's external reference or name. */
const memberRole = (i: { externalId: string | null; name: string }) => i.externalId ?? i.name;
const grantedRole = (e: { externalRef: string | null; name: string }) => e.externalRef ?? e.name;

/**
 * Enforces a system's grants as role memberships on a PostgreSQL server: a
 * grant becoming active (a JIT approval) runs GRANT role TO member, a grant
 * ending runs REVOKE, unless another live grant still holds the same access.
 * Both are no-ops when already true, so a repeated delivery changes nothing.
 */
export const postgresDriver: ConnectorDriver = {
  check({ systemId, url, urlEnv }) {
    const errors: Record<string, string[]> = {};
    if (!systemId) errors.systemId = ["Choose the system whose grants it enforces."];
    if (!!url === !!urlEnv) errors.url = ["Give the target's connection URL or the environment variable holding it (one of them)."];
    else if (url && !/^postgres(ql)?:\/\//.test(url)) errors.url = ["A PostgreSQL URL starts with postgres://."];
    return Object.keys(errors).length ? errors : null;
  },
  configure({ url, urlEnv }) {
    return { config: urlEnv ? { urlEnv } : { url } };
  },
  redact(config) {
    // The password in a stored URL never leaves the server.
    return typeof config.url === "string" ? { ...config, url: config.url.replace(/\/\/([^:@/]+):[^@]*@/, "//$1:••••@") } : config;
  },
  async deliver(db, connector, event) {
    if (event.type !== "grant.activated" && event.type !== "grant.revoked") return { effect: "ignored" };
    const payload = event.payload as { grantId?: string; identityId?: string; entitlementId?: string };
    if (!payload.identityId || !payload.entitlementId) return { effect: "ignored" };
    const [row] = await db
      .select({
        identity: { externalId: identities.externalId, name: identities.name },
        entitlement: { externalRef: entitlements.externalRef, name: entitlements.name, systemId: entitlements.systemId },
      })
      .from(identities)
      .innerJoin(entitlements, eq(entitlements.id, payload.entitlementId))
      .where(eq(identities.id, payload.identityId));
    if (!row || row.entitlement.systemId !== connector.systemId) return { effect: "ignored", detail: { reason: "not this connector's system" } };
    const role = grantedRole(row.entitlement);
    const member = memberRole(row.identity);
    if (event.type === "grant.revoked") {
      const [still] = await db
        .select({ id: grants.id })
        .from(grants)
        .where(
          and(
            eq(grants.identityId, payload.identityId),
            eq(grants.entitlementId, payload.entitlementId),
            payload.grantId ? ne(grants.id, payload.grantId) : undefined,
            grantIsActive,
          ),
        )
        .limit(1);
      if (still) return { effect: "kept", detail: { role, member, reason: "another live grant holds it" } };
    }
    return withTarget(connector, async (target) => {
      const [exists] =
        await target`select (select count(*) from pg_roles where rolname = ${role})::int as role, (select count(*) from pg_roles where rolname = ${member})::int as member`;
      if (!exists.role) throw new DeliveryError(`role ${role} does not exist on the target`);
      if (!exists.member) throw new DeliveryError(`role ${member} does not exist on the target`);
      if (event.type === "grant.activated") await target`grant ${target(role)} to ${target(member)}`;
      else await target`revoke ${target(role)} from ${target(member)}`;
      return { effect: event.type === "grant.activated" ? "granted" : "revoked", detail: { role, member } };
    });
  },

  /**
   * Reads role memberships of the system's entitlement roles from
   * pg_auth_members and compares them with the live grants: a membership no
   * grant approves is "present in the target without approval"; a live grant
   * with no membership is "approved but missing in the target". Findings the
   * target no longer shows are resolved.
   */
  async readState(db, connector) {
    const system = connector.systemId!;
    const ents = await db
      .select({ id: entitlements.id, externalRef: entitlements.externalRef, name: entitlements.name })
      .from(entitlements)
      .where(eq(entitlements.systemId, system));
    const byRole = new Map(ents.map((e) => [grantedRole(e), e]));
    const entById = new Map(ents.map((e) => [e.id, e]));
    const people = await db
      .select({ id: identities.id, externalId: identities.externalId, name: identities.name })
      .from(identities)
      .where(eq(identities.systemId, system));
    const byMember = new Map(people.map((p) => [memberRole(p), p]));
    const personById = new Map(people.map((p) => [p.id, p]));
    const live = await db
      .select({ grantId: grants.id, identityId: grants.identityId, entitlementId: grants.entitlementId })
      .from(grants)
      .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
      .where(and(eq(entitlements.systemId, system), grantIsActive, sql`${grants.type} <> 'eligible'`));
    const pair = (identityId: string, entitlementId: string) => `${identityId}|${entitlementId}`;
    const approved = new Set(live.map((g) => pair(g.identityId, g.entitlementId)));
    const memberships = await withTarget(
      connector,
      (target) =>
        target<{ role: string; member: string }[]>`select r.rolname as role, m.rolname as member from pg_auth_members am
        join pg_roles r on r.oid = am.roleid join pg_roles m on m.oid = am.member where r.rolname = any(${[...byRole.keys()]})`,
    );
    const source = `connector:${connector.id}`;
    const present = new Set<string>();
    const found: FindingInput[] = [];
    const unknownMembers = new Set<string>();
    for (const m of memberships) {
      const e = byRole.get(m.role)!;
      const who = byMember.get(m.member);
      if (!who) {
        unknownMembers.add(m.member);
        continue;
      }
      present.add(pair(who.id, e.id));
      if (!approved.has(pair(who.id, e.id))) {
        found.push({
          kind: "target_unapproved",
          severity: "high",
          identityId: who.id,
          entitlementId: e.id,
          systemId: system,
          source,
          title: `${m.member} is a member of ${m.role} in the target with no approval`,
          details: { role: m.role, member: m.member, connectorId: connector.id },
        });
      }
    }
    for (const g of live) {
      if (present.has(pair(g.identityId, g.entitlementId))) continue;
      const e = entById.get(g.entitlementId)!;
      const who = personById.get(g.identityId);
      if (!who) continue;
      found.push({
        kind: "target_missing",
        severity: "medium",
        identityId: g.identityId,
        entitlementId: g.entitlementId,
        grantId: g.grantId,
        systemId: system,
        source,
        title: `${memberRole(who)} is approved for ${grantedRole(e)} but not a member in the target`,
        details: { role: grantedRole(e), member: memberRole(who), connectorId: connector.id },
      });
    }
    await raiseFindings(db, found);
    const seen = new Set(found.map((f) => findingKey(f)));
    // By kind as well as source: the (status, kind, …) index finds them; findings have no index on source.
    const open = await db
      .select({ key: findings.key })
      .from(findings)
      .where(and(eq(findings.status, "open"), inArray(findings.kind, ["target_unapproved", "target_missing"]), eq(findings.source, source)));
    await resolveFindings(
      db,
      open.map((o) => o.key).filter((k) => !seen.has(k)),
      "No longer seen in the target",
    );
    return {
      checked: memberships.length,
      unapproved: found.filter((f) => f.kind === "target_unapproved").length,
      missing: found.filter((f) => f.kind === "target_missing").length,
      unknownMembers: [...unknownMembers],
    };
  },
};
