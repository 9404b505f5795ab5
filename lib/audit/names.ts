import { eq, inArray, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Tx } from "@/db/client";
import { apiTokens, campaigns, connectors, eligibilityPolicies, entitlements, grants, identities, jitRequests, systems, teams } from "@/db/schema";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const subject = alias(identities, "subject");

type Lookup = (db: Tx, ids: string[]) => Promise<{ id: string; name: string }[]>;

const byName =
  (table: typeof campaigns | typeof connectors | typeof eligibilityPolicies | typeof entitlements | typeof systems | typeof teams | typeof apiTokens): Lookup =>
  (db, ids) =>
    db.select({ id: table.id, name: table.name }).from(table).where(inArray(table.id, ids));

/** How each kind of audited entity is named for a person; kinds not listed keep their id. */
const LOOKUPS: Record<string, Lookup> = {
  identity: (db, ids) =>
    db
      .select({ id: identities.id, name: sql<string>`case when ${identities.kind} = 'human' then ${identities.displayName} else ${identities.name} end` })
      .from(identities)
      .where(inArray(identities.id, ids)),
  campaign: byName(campaigns),
  connector: byName(connectors),
  eligibility_policy: byName(eligibilityPolicies),
  entitlement: byName(entitlements),
  system: byName(systems),
  team: byName(teams),
  api_token: byName(apiTokens),
  jit_request: (db, ids) =>
    db
      .select({ id: jitRequests.id, name: sql<string>`${entitlements.name} || ' for ' || ${subject.displayName}` })
      .from(jitRequests)
      .innerJoin(entitlements, eq(entitlements.id, jitRequests.entitlementId))
      .innerJoin(subject, eq(subject.id, jitRequests.identityId))
      .where(inArray(jitRequests.id, ids)),
  grant: (db, ids) =>
    db
      .select({ id: grants.id, name: sql<string>`${entitlements.name} || ' for ' || ${subject.displayName}` })
      .from(grants)
      .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
      .innerJoin(subject, eq(subject.id, grants.identityId))
      .where(inArray(grants.id, ids)),
};

/**
 * Names for the entities of a page of audit rows ("ci-deployer", "Quarterly
 * access review"), looked up now: one query per kind on the page. An entity
 * since removed, or of a kind without names, keeps its id alone.
 */
export async function entityNames(db: Tx, rows: { entityType: string; entityId: string }[]): Promise<Map<string, string>> {
  const wanted = new Map<string, Set<string>>();
  for (const r of rows)
    if (LOOKUPS[r.entityType] && UUID.test(r.entityId)) (wanted.get(r.entityType) ?? wanted.set(r.entityType, new Set()).get(r.entityType)!).add(r.entityId);
  const names = new Map<string, string>();
  await Promise.all(
    [...wanted].map(async ([type, ids]) => {
      for (const { id, name } of await LOOKUPS[type](db, [...ids])) names.set(`${type}:${id}`, name);
    }),
  );
  return names;
}
