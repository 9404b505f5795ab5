import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { entitlements } from "@/db/schema";
import { type Actor, auditedTransaction, recordAudit, SYSTEM_ACTOR } from "@/lib/audit/record";
import { actorOf, requireRole, type Caller } from "@/lib/caller";
import { directoryUrlProblem, dnKey, withDirectoryAt } from "@/lib/connectors/ldap-target";
import { DeliveryError } from "@/lib/connectors/types";
import { TargetUnavailableError, ValidationError, parseInput } from "@/lib/errors";
import { requestReconciliation } from "@/lib/findings/refresh";
import { grantOfRole } from "@/lib/permissions/grant-accounts";
import { importedSystem, syncEntitlements, syncGrants, syncIdentities, type Counts } from "../inventory";
import { liveSourceInput, systemName } from "../live-source";
import { directoryGroupLevel } from "./levels";

export const LDAP_GROUPS_SOURCE = "ldap-groups";

export type LdapGroupsImportSummary = {
  system: string;
  systemId: string;
  systemCreated: boolean;
  people: Counts;
  groups: Counts;
  grants: { added: number; kept: number; removed: number };
  /** Members that are not people under the base (nested groups, entries elsewhere): not imported as grants. */
  unresolvedMembers: number;
};

type Entry = Record<string, unknown> & { dn: string };
const first = (e: Entry, ...names: string[]) => {
  for (const n of names) {
    const v = ([] as unknown[]).concat(e[n] ?? [])[0];
    if (typeof v === "string" && v.trim()) return v.trim();
  }
  return null;
};
const all = (e: Entry, name: string) =>
  ([] as unknown[])
    .concat(e[name] ?? [])
    .map(String)
    .filter((v) => v.trim());

/** Reads the groups (groupOfNames) and people (person entries) under the URL's base DN. */
async function readDirectory(url: string) {
  return withDirectoryAt(url, async (client, config) => {
    const search = async (filter: string, attributes: string[]) =>
      (await client.search(config.base, { scope: "sub", filter, attributes, paged: { pageSize: 500 } })).searchEntries as Entry[];
    const groups = await search("(objectClass=groupOfNames)", ["cn", "description", "member"]);
    const people = await search("(|(objectClass=person)(objectClass=inetOrgPerson))", ["uid", "sAMAccountName", "cn", "displayName", "mail"]);
    return { groups, people };
  });
}

/**
 * A directory's groups and people into the inventory: each groupOfNames is
 * an entitlement whose reference is its DN (so the directory connector grants
 * exactly it), each person entry an identity whose external id is its DN,
 * each membership of a person an imported grant. The accounts the product
 * makes for single grants are left out. A group's privilege level comes from
 * its name where the name is one of Active Directory's built-in privileged
 * groups (lib/ingest/ldap/levels.ts); otherwise it is the level already set
 * on the entitlement, or standard for a new one: the directory does not say
 * what a group grants downstream, so an admin sets it.
 */
export async function importDirectoryGroups(db: Db, input: { system: unknown; url: string; actor?: Actor }): Promise<LdapGroupsImportSummary> {
  const { system: name } = parseInput(z.object({ system: systemName }), { system: input.system });
  const problem = directoryUrlProblem(input.url);
  if (problem) throw new ValidationError({ url: [problem.replace("container DN where per-grant accounts are made", "base DN to import from")] });
  let read: Awaited<ReturnType<typeof readDirectory>>;
  try {
    read = await readDirectory(input.url);
  } catch (e) {
    if (e instanceof DeliveryError) throw new TargetUnavailableError(`The directory could not be read: ${e.message}. Nothing was imported.`);
    throw e;
  }
  const people = read.people.filter((p) => !grantOfRole(first(p, "cn") ?? ""));
  const personByKey = new Map(people.map((p) => [dnKey(p.dn), p]));
  const actor = input.actor ?? { ...SYSTEM_ACTOR, label: `import: ${LDAP_GROUPS_SOURCE}` };
  return auditedTransaction(db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7244013, hashtext(${name}))`);
    const { system, created } = await importedSystem(tx, actor, {
      kind: "idp",
      externalId: name,
      name,
      description: `Directory ${name}, imported from its groups`,
      source: LDAP_GROUPS_SOURCE,
    });
    const now = new Date();
    const levels = new Map(
      (
        await tx.select({ ref: entitlements.externalRef, level: entitlements.privilegeLevel }).from(entitlements).where(eq(entitlements.systemId, system.id))
      ).map((e) => [e.ref, e.level] as const),
    );
    const ents = await syncEntitlements(
      tx,
      actor,
      system.id,
      read.groups.map((g) => {
        const cn = first(g, "cn") ?? g.dn;
        const known = directoryGroupLevel(cn);
        return {
          ref: g.dn,
          name: cn,
          description: first(g, "description") ?? `Directory group ${g.dn}`,
          statements: [],
          level: known ?? levels.get(g.dn) ?? "standard",
        };
      }),
      LDAP_GROUPS_SOURCE,
      now,
    );
    const ids = await syncIdentities(
      tx,
      actor,
      system.id,
      people.map((p) => ({
        externalId: p.dn,
        kind: "human" as const,
        name: first(p, "uid", "sAMAccountName", "cn") ?? p.dn,
        displayName: first(p, "displayName", "cn") ?? p.dn,
        purpose: null,
        ownerId: null,
        attributes: { source: LDAP_GROUPS_SOURCE, ...(first(p, "mail") ? { mail: first(p, "mail") } : {}) },
        createdAt: null,
      })),
      { source: LDAP_GROUPS_SOURCE, goneReason: "No longer in the directory", at: now },
    );
    let unresolvedMembers = 0;
    const held: { identityId: string; entitlementId: string }[] = [];
    for (const g of read.groups)
      for (const member of all(g, "member")) {
        const person = personByKey.get(dnKey(member));
        if (person) held.push({ identityId: ids.idOf.get(person.dn)!, entitlementId: ents.idByRef.get(g.dn)! });
        else if (!grantOfRole(/^cn=([^,]+),/i.exec(member)?.[1] ?? "")) unresolvedMembers++;
      }
    const grants = await syncGrants(tx, actor, system.id, held, {
      source: LDAP_GROUPS_SOURCE,
      ref: `${LDAP_GROUPS_SOURCE}:${name}`,
      reason: `Member in ${name} at import`,
      endReason: "No longer a member in the directory (import)",
      at: now,
    });
    await requestReconciliation(tx);
    await recordAudit(tx, actor, {
      action: "import.ldap_groups",
      entityType: "system",
      entityId: system.id,
      after: { system: name, people: ids.summary, groups: ents.summary, grants, unresolvedMembers, source: LDAP_GROUPS_SOURCE },
    });
    return { system: name, systemId: system.id, systemCreated: created, people: ids.summary, groups: ents.summary, grants, unresolvedMembers };
  });
}

/**
 * The import through the API (POST /api/v1/imports/ldap-groups), for an
 * admin: the directory is named by an environment variable of the app's.
 */
export async function importDirectoryGroupsBy(db: Db, caller: Caller, raw: unknown): Promise<LdapGroupsImportSummary> {
  requireRole(caller, "admin");
  return importDirectoryGroups(db, { ...liveSourceInput(raw), actor: actorOf(caller) });
}
