import { eq } from "drizzle-orm";
import type postgres from "postgres";
import type { Tx } from "@/db/client";
import { grants } from "@/db/schema";
import { OUTLIVED_GRACE_SECONDS } from "@/lib/findings/kinds";
import { raiseFindings } from "@/lib/findings/raise";
import { grantOfRole, perGrantRole } from "@/lib/permissions/grant-accounts";
import { ensureLoginRole, grantedRole, memberRole, removeLoginRole, withTarget } from "./postgres-target";
import { deliverMembership, markCredentialRemoved } from "./membership";
import { compareWithTarget, type ObservedMembership, type TargetNaming } from "./target-state";
import { DeliveryError, type ConnectorDriver, type ConnectorRow } from "./types";

/**
 * A grant's own login role is removed from the target; sessions it still had
 * open were terminated, and each one open longer than the grace past the
 * grant's end is a finding saying by how long.
 */
async function removeGrantLogin(db: Tx, connector: ConnectorRow, target: postgres.Sql, grantId: string, memberOf: string) {
  const role = perGrantRole(grantId);
  const removed = await removeLoginRole(target, { role, memberOf });
  if (!removed.existed) return null;
  await markCredentialRemoved(db, grantId);
  const now = new Date();
  const [grant] = await db
    .select({ identityId: grants.identityId, entitlementId: grants.entitlementId, expiresAt: grants.expiresAt, revokedAt: grants.revokedAt })
    .from(grants)
    .where(eq(grants.id, grantId));
  const ends = [grant?.expiresAt, grant?.revokedAt].filter((d): d is Date => !!d);
  const endedAt = ends.length ? new Date(Math.min(...ends.map((d) => d.getTime()))) : null;
  const outlivedSeconds = endedAt ? Math.round((now.getTime() - endedAt.getTime()) / 1000) : 0;
  if (grant && endedAt && removed.sessions.length && outlivedSeconds > OUTLIVED_GRACE_SECONDS) {
    await raiseFindings(db, [
      {
        kind: "session_outlived_grant",
        severity: "high",
        identityId: grant.identityId,
        entitlementId: grant.entitlementId,
        grantId,
        systemId: connector.systemId,
        source: `connector:${connector.id}`,
        title: `${removed.sessions.length} session${removed.sessions.length === 1 ? "" : "s"} of ${role} stayed open ${outlivedSeconds} s after the grant ended`,
        details: {
          role,
          connectorId: connector.id,
          grantEndedAt: endedAt.toISOString(),
          terminatedAt: now.toISOString(),
          outlivedSeconds,
          sessions: removed.sessions,
        },
      },
    ]);
  }
  return { role, dropped: removed.dropped, sessionsTerminated: removed.sessions, outlivedSeconds, ...(removed.detail ? { note: removed.detail } : {}) };
}

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
  deliver(db, connector, event) {
    return deliverMembership(db, connector, event, {
      naming: postgresNaming,
      activate: (_tx, change, validUntil) =>
        withTarget(connector, async (target) => {
          const detail: Record<string, unknown> = {};
          // The grant's end as stored now (the event's copy could be older), which the target then enforces by itself.
          if (change.credential && validUntil) {
            const login = perGrantRole(change.grantId!);
            await ensureLoginRole(target, { role: login, memberOf: change.group, validUntil });
            detail.login = login;
            detail.validUntil = validUntil.toISOString();
          }
          if (change.membership) {
            await assertRoles(target, change.group, change.member);
            await target`grant ${target(change.group)} to ${target(change.member)}`;
            detail.member = change.member;
          }
          return detail;
        }),
      revoke: (db, change, keepMembership) =>
        withTarget(connector, async (target) => {
          const detail: Record<string, unknown> = {};
          if (change.grantId) {
            const removed = await removeGrantLogin(db, connector, target, change.grantId, change.group);
            if (removed) detail.login = removed;
          }
          if (change.membership && !keepMembership) {
            await assertRoles(target, change.group, change.member);
            await target`revoke ${target(change.group)} from ${target(change.member)}`;
            detail.member = change.member;
          }
          return detail;
        }),
    });
  },

  /**
   * Reads role memberships of the system's entitlement roles from
   * pg_auth_members and compares them with the live grants
   * (lib/connectors/target-state.ts).
   */
  readState(db, connector) {
    return compareWithTarget(db, connector, postgresNaming, (roles) =>
      withTarget(
        connector,
        (target) =>
          target<ObservedMembership[]>`select r.rolname as "group", m.rolname as member from pg_auth_members am
          join pg_roles r on r.oid = am.roleid join pg_roles m on m.oid = am.member where r.rolname = any(${roles})`,
      ),
    );
  },
};

/** A database's role names, compared as they are. */
const postgresNaming: TargetNaming = { group: grantedRole, member: memberRole, grantOf: grantOfRole, login: perGrantRole };

async function assertRoles(target: postgres.Sql, role: string, member: string) {
  const [exists] =
    await target`select (select count(*) from pg_roles where rolname = ${role})::int as role, (select count(*) from pg_roles where rolname = ${member})::int as member`;
  if (!exists.role) throw new DeliveryError(`role ${role} does not exist on the target`);
  if (!exists.member) throw new DeliveryError(`role ${member} does not exist on the target`);
}
