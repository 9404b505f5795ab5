import { and, eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Tx } from "@/db/client";
import { entitlements, grantIsActive, grants, identities, systems, usageRollups } from "@/db/schema";
import { requireRole, type Caller } from "@/lib/caller";
import { streamRows, type ExportFormat } from "@/lib/exports/stream";
import { DEFAULT_WINDOW_DAYS } from "./actions";
import { FINDING_READERS } from "./findings";

const owner = alias(identities, "owner");

export const reconciliationColumns = [
  "grantId",
  "identity",
  "identityKind",
  "identityStatus",
  "owner",
  "system",
  "entitlement",
  "privilegeLevel",
  "grantType",
  "provenance",
  "approvedAt",
  "approvalExpiresAt",
  "startsAt",
  "expiresAt",
  "lastUsedAt",
  "uses",
  "denied",
  "classification",
] as const;

/**
 * Every live grant with the reconciliation's verdict on it, for auditors:
 * used_and_approved, approved_unused, unapproved_grant, used_without_approval
 * (an unapproved grant in use) or active_after_approval, with its provenance
 * and last use. Use of access no grant covers is in the findings export.
 */
export function exportReconciliation(db: Tx, caller: Caller, format: ExportFormat, windowDays = DEFAULT_WINDOW_DAYS) {
  requireRole(caller, ...FINDING_READERS);
  const batchSize = 5000;
  const recent = sql`(${usageRollups.lastUsedAt} >= now() - make_interval(days => ${windowDays}::int))`;
  return streamRows({
    format,
    filename: `reconciliation-${new Date().toISOString().slice(0, 10)}`,
    columns: reconciliationColumns,
    header: { key: "reconciliation", value: { exportedAt: new Date(), windowDays } },
    rowsKey: "grants",
    batchSize,
    next: (after) =>
      db
        .select({
          grantId: grants.id,
          identity: sql<string>`case when ${identities.kind} = 'human' then ${identities.displayName} else ${identities.name} end`,
          identityKind: identities.kind,
          identityStatus: identities.status,
          owner: owner.displayName,
          system: systems.name,
          entitlement: entitlements.name,
          privilegeLevel: entitlements.privilegeLevel,
          grantType: grants.type,
          provenance: grants.provenance,
          approvedAt: grants.approvedAt,
          approvalExpiresAt: grants.approvalExpiresAt,
          startsAt: grants.startsAt,
          expiresAt: grants.expiresAt,
          lastUsedAt: usageRollups.lastUsedAt,
          uses: sql<number>`coalesce(${usageRollups.successCount}, 0)`,
          denied: sql<number>`coalesce(${usageRollups.deniedCount}, 0)`,
          classification: sql<string>`case
            when ${grants.approvalExpiresAt} < now() then 'active_after_approval'
            when ${grants.provenance} = 'none' and coalesce(${recent}, false) then 'used_without_approval'
            when ${grants.provenance} = 'none' then 'unapproved_grant'
            when coalesce(${recent}, false) then 'used_and_approved'
            else 'approved_unused' end`,
        })
        .from(grants)
        .innerJoin(identities, eq(identities.id, grants.identityId))
        .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
        .innerJoin(systems, eq(systems.id, entitlements.systemId))
        .leftJoin(owner, eq(owner.id, identities.ownerId))
        .leftJoin(usageRollups, and(eq(usageRollups.identityId, grants.identityId), eq(usageRollups.entitlementId, grants.entitlementId)))
        .where(and(grantIsActive, after ? sql`${grants.id} > ${after}::uuid` : undefined))
        .orderBy(grants.id)
        .limit(batchSize),
    cursorOf: (r) => r.grantId,
  });
}
