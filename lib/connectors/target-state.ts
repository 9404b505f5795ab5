import { and, eq, inArray, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { entitlements, findings, grantIsActive, grants, grantsMembership, identities, issuesCredential, jitRequests } from "@/db/schema";
import { findingKey, raiseFindings, resolveFindings, type FindingInput } from "@/lib/findings/raise";
import type { ConnectorRow, StateReport } from "./types";

/** One membership as the target shows it: a member of a group (a database role, a directory group). */
export type ObservedMembership = { group: string; member: string };

/**
 * How a membership target names what the product holds: an entitlement's
 * group, an identity's account, and a grant's own account (a credential
 * issued for one grant). `key` is how the target compares names (a
 * directory's DNs ignore case and spacing; a database's role names do not).
 */
export type TargetNaming = {
  group: (e: { externalRef: string | null; name: string }) => string;
  member: (i: { externalId: string | null; name: string }) => string;
  /** The grant a per-grant account was made for, or null for any other account. */
  grantOf: (member: string) => string | null;
  login: (grantId: string) => string;
  key?: (name: string) => string;
};

/**
 * Compares a target's memberships of the system's entitlements with the live
 * grants, the same way for every membership target: a membership no grant
 * approves is "present in the target without approval"; a live grant whose
 * membership (or whose own account, for a grant that issues a credential) is
 * not there is "approved but missing in the target"; a grant's own account
 * still a member after the grant ended is unapproved access of its holder.
 * Findings from this connector that the target no longer shows are resolved.
 */
export async function compareWithTarget(
  db: Tx,
  connector: ConnectorRow,
  naming: TargetNaming,
  observe: (groups: string[]) => Promise<ObservedMembership[]>,
): Promise<StateReport> {
  const key = naming.key ?? ((name: string) => name);
  const system = connector.systemId!;
  const ents = await db
    .select({ id: entitlements.id, externalRef: entitlements.externalRef, name: entitlements.name })
    .from(entitlements)
    .where(eq(entitlements.systemId, system));
  const byGroup = new Map(ents.map((e) => [key(naming.group(e)), e]));
  const entById = new Map(ents.map((e) => [e.id, e]));
  const people = await db
    .select({ id: identities.id, externalId: identities.externalId, name: identities.name })
    .from(identities)
    .where(eq(identities.systemId, system));
  const byMember = new Map(people.map((p) => [key(naming.member(p)), p]));
  const personById = new Map(people.map((p) => [p.id, p]));
  const live = await db
    .select({ grantId: grants.id, identityId: grants.identityId, entitlementId: grants.entitlementId, activation: jitRequests.activation })
    .from(grants)
    .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
    .leftJoin(jitRequests, eq(jitRequests.grantId, grants.id))
    .where(and(eq(entitlements.systemId, system), grantIsActive, sql`${grants.type} <> 'eligible'`));
  const pair = (identityId: string, entitlementId: string) => `${identityId}|${entitlementId}`;
  // A grant whose activation issues only a credential is approved for its own account, not its holder's.
  const approved = new Set(live.filter((g) => grantsMembership(g.activation ?? "membership")).map((g) => pair(g.identityId, g.entitlementId)));
  const liveById = new Map(live.map((g) => [g.grantId, g]));
  const logins = new Set<string>();
  const strayLogins: { grantId: string; group: string; member: string; entitlementId: string }[] = [];
  const memberships = await observe(ents.map((e) => naming.group(e)));
  const source = `connector:${connector.id}`;
  const present = new Set<string>();
  const found: FindingInput[] = [];
  const unknownMembers = new Set<string>();
  for (const m of memberships) {
    const e = byGroup.get(key(m.group));
    if (!e) continue;
    const grantId = naming.grantOf(m.member);
    if (grantId) {
      const g = liveById.get(grantId);
      if (g && g.entitlementId === e.id && issuesCredential(g.activation ?? "membership")) logins.add(grantId);
      else strayLogins.push({ grantId, group: m.group, member: m.member, entitlementId: e.id });
      continue;
    }
    const who = byMember.get(key(m.member));
    if (!who) {
      unknownMembers.add(m.member);
      continue;
    }
    present.add(pair(who.id, e.id));
    if (!approved.has(pair(who.id, e.id)))
      found.push({
        kind: "target_unapproved",
        severity: "high",
        identityId: who.id,
        entitlementId: e.id,
        systemId: system,
        source,
        title: `${m.member} is a member of ${m.group} in the target with no approval`,
        details: { group: m.group, member: m.member, connectorId: connector.id },
      });
  }
  // An account the product made for a grant that has ended (its removal not delivered, say) is access nothing approves.
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
      title: `${l.member}, the account of a grant no longer live, is a member of ${l.group} in the target`,
      details: { group: l.group, member: l.member, connectorId: connector.id },
    });
  }
  const missing = (g: (typeof live)[number], member: string): FindingInput => {
    const group = naming.group(entById.get(g.entitlementId)!);
    return {
      kind: "target_missing",
      severity: "medium",
      identityId: g.identityId,
      entitlementId: g.entitlementId,
      grantId: g.grantId,
      systemId: system,
      source,
      title: `${member} is approved for ${group} but not a member in the target`,
      details: { group, member, connectorId: connector.id },
    };
  };
  for (const g of live) {
    const mode = g.activation ?? "membership";
    if (issuesCredential(mode) && !logins.has(g.grantId)) found.push(missing(g, naming.login(g.grantId)));
    if (!grantsMembership(mode) || present.has(pair(g.identityId, g.entitlementId))) continue;
    const who = personById.get(g.identityId);
    if (who) found.push(missing(g, naming.member(who)));
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
}
