import { sql } from "drizzle-orm";
import { grantActiveDuring } from "@/db/schema";
import { findingKey, findingKeySql as key } from "@/lib/findings/raise";
import { permissionSetsOf } from "@/lib/permissions/sets";
import { permissionModelOf, type SystemKind } from "@/lib/permissions/model";
import { g, severityOf, topActions, type Detector, type DetectedRow } from "./context";

/**
 * Use with nothing approved behind it during the window: per entitlement
 * (usage attributed to an entitlement no approved grant covered), and per
 * identity, action by action (actions none of its entitlements approves,
 * evaluated here against its current permission sets, so a later grant or
 * revocation changes the verdict on the next run).
 */
export const detectUsedWithoutApproval: Detector = async (ctx) => {
  await ctx.insert(sql`
    select ${key("used_without_approval", sql`r.identity_id`, sql`r.entitlement_id`, null)}, 'used_without_approval', ${severityOf("used_without_approval")},
      r.identity_id, r.entitlement_id, null, e.system_id,
      e.name || ' used without approval',
      jsonb_build_object('lastUsedAt', r.last_used_at, 'uses', r.success_count, 'privilegeLevel', e.privilege_level)
    from usage_rollups r join entitlements e on e.id = r.entitlement_id join identities i on i.id = r.identity_id
    where r.last_used_at >= ${ctx.since}::timestamptz and i.status = 'active'
      and not exists (select 1 from grants g where g.identity_id = r.identity_id and g.entitlement_id = r.entitlement_id
        and g.provenance <> 'none' and ${grantActiveDuring(sql`${ctx.since}::timestamptz`, sql`${ctx.now}::timestamptz`, g)})`);

  const uses = await ctx.actionUses();
  if (uses.size === 0) return;
  // The same permission sets (and boundaries) as the identity's own reconciliation, so both give one verdict.
  const sets = await permissionSetsOf(ctx.tx, [...uses.keys()], ctx.at);
  const rows: DetectedRow[] = [];
  for (const [id, mine] of uses) {
    const set = sets.get(id)!;
    const unapproved = mine.filter((u) => u.success > 0 && !set.approvalFor(u.action));
    if (unapproved.length === 0) continue;
    rows.push({
      key: findingKey({ kind: "used_without_approval", identityId: id, discriminator: "actions" }),
      kind: "used_without_approval",
      // Sensitive by the identity's system's model (AWS: IAM, STS, Organizations, KMS).
      severity: unapproved.some((u) => permissionModelOf(u.system_kind as SystemKind | null).isSensitive(u.action)) ? "critical" : "high",
      identityId: id,
      systemId: mine[0].system_id,
      title: `${unapproved.length} action${unapproved.length === 1 ? "" : "s"} used that no entitlement approves`,
      details: { actions: topActions(unapproved, "success"), total: unapproved.length },
    });
  }
  await ctx.insertRows(rows);
};
