import { sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { queryRows } from "@/db/rows";
import { credentials, entitlements, grantIsActive, grants, identities, usageRollups } from "@/db/schema";
import { orphanFilter } from "@/lib/identities/figures";
import { outsideRotationPolicy } from "./detectors/stale-credential";

/** The first numbers a CISO asks for (lib/dashboard/summary.ts), one definition for the live count and the daily snapshot. */
export type InventoryTotals = {
  orphans: number;
  overdueAttestations: number;
  standingPrivileged: number;
  unusedPrivileged: number;
  unapproved: number;
  staleCredentials: number;
};
/** The window the snapshot counts unused privilege over, and the summary's default. */
export const INVENTORY_UNUSED_DAYS = 90;

export const inventoryTotalKeys = ["orphans", "overdueAttestations", "standingPrivileged", "unusedPrivileged", "unapproved", "staleCredentials"] as const;

/** Counted now from the inventory and the usage roll-ups (never raw events): a scan of the grants at a million of them. */
export async function inventoryTotals(tx: Tx, unusedDays: number): Promise<InventoryTotals> {
  const privileged = sql`${entitlements.privilegeLevel} in ('privileged', 'admin')`;
  const [totals] = await queryRows<InventoryTotals>(
    tx,
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
  return totals;
}
