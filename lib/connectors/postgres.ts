import { and, eq, inArray, isNull, ne, sql } from "drizzle-orm";
import type postgres from "postgres";
import type { Tx } from "@/db/client";
import { auditedTransaction } from "@/lib/audit/record";
import {
  entitlements,
  findings,
  grantIsActive,
  grants,
  grantsMembership,
  identities,
  issuedCredentials,
  issuesCredential,
  jitRequests,
  type ActivationMode,
} from "@/db/schema";
import { findingKey, raiseFindings, resolveFindings, type FindingInput } from "@/lib/findings/raise";
import { grantOfRole, perGrantRole } from "@/lib/permissions/postgres/grant-roles";
import { ensureLoginRole, grantedRole, memberRole, removeLoginRole, withTarget } from "./postgres-target";
import { DeliveryError, type ConnectorDriver, type ConnectorRow } from "./types";

/** A session that outlives its grant by more than this is a finding (the revocation's own delivery takes a second or two). */
export const OUTLIVED_GRACE_SECONDS = 30;

/** What activating a grant does in the target: from its JIT request, else (standing grants) membership. */
async function activationOf(db: Tx, grantId: string | undefined): Promise<ActivationMode> {
  if (!grantId) return "membership";
  const [row] = await db.select({ activation: jitRequests.activation }).from(jitRequests).where(eq(jitRequests.grantId, grantId));
  return row?.activation ?? "membership";
}

/**
 * A grant's own login role is removed from the target; sessions it still had
 * open were terminated, and each one open longer than the grace past the
 * grant's end is a finding saying by how long.
 */
async function removeGrantLogin(db: Tx, connector: ConnectorRow, target: postgres.Sql, grantId: string, memberOf: string) {
  const role = perGrantRole(grantId);
  const removed = await removeLoginRole(target, { role, memberOf });
  if (!removed.existed) return null;
  const now = new Date();
  await db
    .update(issuedCredentials)
    .set({ removedAt: now, updatedAt: now })
    .where(and(eq(issuedCredentials.grantId, grantId), isNull(issuedCredentials.removedAt)));
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
    const mode = await activationOf(db, payload.grantId);
    const membership = grantsMembership(mode);
    if (event.type === "grant.revoked" && membership) {
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
      // The membership stays; the grant's own login role (if any) still goes below.
      if (still && !issuesCredential(mode)) return { effect: "kept", detail: { role, member, reason: "another live grant holds it" } };
      if (still) return removeOnly(db, connector, payload.grantId!, role, { role, member, kept: "another live grant holds the membership" });
    }
    if (event.type === "grant.activated") {
      // Deliveries are not ordered: an activation reaching the target after the grant ended (and after its removal
      // was delivered) must not bring the access back. The grant is locked while the target changes, so a revocation
      // committing meanwhile waits, and its own delivery, queued after its commit, comes later.
      return auditedTransaction(db, async (tx) => {
        const [grant] = payload.grantId
          ? await tx
              .select({ expiresAt: grants.expiresAt })
              .from(grants)
              .where(and(eq(grants.id, payload.grantId), grantIsActive))
              .for("share")
          : [{ expiresAt: null }];
        if (!grant) return { effect: "skipped", detail: { role, reason: "the grant ended before its activation was delivered" } };
        return withTarget(connector, async (target) => {
          const detail: Record<string, unknown> = { role, activation: mode };
          // The grant's end as stored now (the event's copy could be older), which the target then enforces by itself.
          if (issuesCredential(mode) && payload.grantId && grant.expiresAt) {
            const login = perGrantRole(payload.grantId);
            await ensureLoginRole(target, { role: login, memberOf: role, validUntil: grant.expiresAt });
            detail.login = login;
            detail.validUntil = grant.expiresAt.toISOString();
          }
          if (membership) {
            await grantMembership(target, role, member);
            detail.member = member;
          }
          return { effect: "granted", detail };
        });
      });
    }
    return withTarget(connector, async (target) => {
      const detail: Record<string, unknown> = { role, activation: mode };
      if (payload.grantId) {
        const removed = await removeGrantLogin(db, connector, target, payload.grantId, role);
        if (removed) detail.login = removed;
      }
      if (membership) {
        await assertRoles(target, role, member);
        await target`revoke ${target(role)} from ${target(member)}`;
        detail.member = member;
      }
      return { effect: "revoked", detail };
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
      .select({ grantId: grants.id, identityId: grants.identityId, entitlementId: grants.entitlementId, activation: jitRequests.activation })
      .from(grants)
      .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
      .leftJoin(jitRequests, eq(jitRequests.grantId, grants.id))
      .where(and(eq(entitlements.systemId, system), grantIsActive, sql`${grants.type} <> 'eligible'`));
    const pair = (identityId: string, entitlementId: string) => `${identityId}|${entitlementId}`;
    // A grant whose activation issues only a credential is approved for its own login role, not its holder's account.
    const approved = new Set(live.filter((g) => grantsMembership(g.activation ?? "membership")).map((g) => pair(g.identityId, g.entitlementId)));
    const liveById = new Map(live.map((g) => [g.grantId, g]));
    // Grants' own login roles seen as members: of a live grant for that role (fine), or left behind.
    const logins = new Set<string>();
    const strayLogins: { grantId: string; role: string; member: string; entitlementId: string }[] = [];
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
      const grantId = grantOfRole(m.member);
      if (grantId) {
        const g = liveById.get(grantId);
        if (g && g.entitlementId === e.id && issuesCredential(g.activation ?? "membership")) logins.add(grantId);
        else strayLogins.push({ grantId, role: m.role, member: m.member, entitlementId: e.id });
        continue;
      }
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
    // A login role the product made for a grant that has ended (its removal not delivered, say) is access nothing approves.
    const strayHolders = strayLogins.length
      ? await db
          .select({ id: grants.id, identityId: grants.identityId })
          .from(grants)
          .where(
            inArray(
              grants.id,
              strayLogins.map((l) => l.grantId),
            ),
          )
      : [];
    const holderOf = new Map(strayHolders.map((h) => [h.id, h.identityId]));
    for (const l of strayLogins) {
      const holder = holderOf.get(l.grantId);
      if (!holder) {
        unknownMembers.add(l.member);
        continue;
      }
      found.push({
        kind: "target_unapproved",
        severity: "high",
        identityId: holder,
        entitlementId: l.entitlementId,
        grantId: l.grantId,
        systemId: system,
        source,
        title: `${l.member}, the login role of a grant no longer live, is a member of ${l.role} in the target`,
        details: { role: l.role, member: l.member, connectorId: connector.id },
      });
    }
    for (const g of live) {
      const e = entById.get(g.entitlementId)!;
      const mode = g.activation ?? "membership";
      if (issuesCredential(mode) && !logins.has(g.grantId)) {
        found.push({
          kind: "target_missing",
          severity: "medium",
          identityId: g.identityId,
          entitlementId: g.entitlementId,
          grantId: g.grantId,
          systemId: system,
          source,
          title: `The login role of this grant, ${perGrantRole(g.grantId)}, is not a member of ${grantedRole(e)} in the target`,
          details: { role: grantedRole(e), member: perGrantRole(g.grantId), connectorId: connector.id },
        });
      }
      if (!grantsMembership(mode) || present.has(pair(g.identityId, g.entitlementId))) continue;
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

async function assertRoles(target: postgres.Sql, role: string, member: string) {
  const [exists] =
    await target`select (select count(*) from pg_roles where rolname = ${role})::int as role, (select count(*) from pg_roles where rolname = ${member})::int as member`;
  if (!exists.role) throw new DeliveryError(`role ${role} does not exist on the target`);
  if (!exists.member) throw new DeliveryError(`role ${member} does not exist on the target`);
}

async function grantMembership(target: postgres.Sql, role: string, member: string) {
  await assertRoles(target, role, member);
  await target`grant ${target(role)} to ${target(member)}`;
}

/** A revoked grant whose membership another grant still holds: only its own login role is removed. */
async function removeOnly(db: Tx, connector: ConnectorRow, grantId: string, role: string, detail: Record<string, unknown>) {
  return withTarget(connector, async (target) => {
    const removed = await removeGrantLogin(db, connector, target, grantId, role);
    return { effect: "kept", detail: { ...detail, ...(removed ? { login: removed } : {}) } };
  });
}
