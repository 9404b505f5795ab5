import { sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { queryRows } from "@/db/rows";
import { credentials, entitlements, grantIsActive, grants, identities, usageRollups } from "@/db/schema";
import { INVENTORY_READERS, hasRole, type Caller } from "@/lib/caller";
import { ForbiddenError } from "@/lib/errors";
import { orphanFilter } from "@/lib/identities/figures";
import { outsideRotationPolicy } from "@/lib/reconciliation/detectors/stale-credential";

type Totals = {
  orphans: number;
  overdueAttestations: number;
  standingPrivileged: number;
  unusedPrivileged: number;
  unapproved: number;
  staleCredentials: number;
};

/**
 * The first numbers a CISO asks for, computed from the inventory and the usage
 * rollups (never raw events). The full reconciliation arrives with its own capability.
 */
export async function inventorySummary(db: Tx, caller: Caller, unusedDays = 90) {
  if (!hasRole(caller, ...INVENTORY_READERS)) throw new ForbiddenError();
  const byKind = await db
    .select({ kind: identities.kind, count: sql<number>`count(*)`.mapWith(Number) })
    .from(identities)
    .where(sql`${identities.status} = 'active'`)
    .groupBy(identities.kind)
    .orderBy(identities.kind);
  const privileged = sql`${entitlements.privilegeLevel} in ('privileged', 'admin')`;
  const [totals] = await queryRows<Totals>(
    db,
    sql`select
      (select count(*) from ${identities} where ${orphanFilter})::int as "orphans",
      (select count(*) from ${identities} where kind <> 'human' and status = 'active' and next_attestation_at < now())::int as "overdueAttestations",
      (select count(*) from ${grants} join ${entitlements} on ${entitlements.id} = ${grants.entitlementId}
        where ${grants.type} = 'standing' and ${privileged} and ${grantIsActive})::int as "standingPrivileged",
      (select count(*) from ${grants} join ${entitlements} on ${entitlements.id} = ${grants.entitlementId}
        left join ${usageRollups} on ${usageRollups.identityId} = ${grants.identityId} and ${usageRollups.entitlementId} = ${grants.entitlementId}
        where ${privileged} and ${grantIsActive}
          and (${usageRollups.lastUsedAt} is null or ${usageRollups.lastUsedAt} < now() - make_interval(days => ${unusedDays})))::int as "unusedPrivileged",
      (select count(*) from ${grants} where ${grants.provenance} = 'none' and ${grantIsActive})::int as "unapproved",
      (select count(*) from ${credentials} c left join credential_policies p on p.type = c.type
        where c.status = 'active' and ${outsideRotationPolicy(sql`now()`)})::int as "staleCredentials"`,
  );
  return { byKind, ...totals, unusedDays };
}

export type InventorySummary = Awaited<ReturnType<typeof inventorySummary>>;
