import { sql } from "drizzle-orm";
import { findingKey, findingKeySql as key } from "@/lib/findings/raise";
import { severityOf, topActions, type Detector, type DetectedRow } from "./context";

/**
 * Refused attempts in the window: on privileged entitlements, and per cloud
 * identity, the actions only ever refused.
 */
export const detectDeniedAttempt: Detector = async (ctx) => {
  await ctx.insert(sql`
    select ${key("denied_attempt", sql`r.identity_id`, sql`r.entitlement_id`, null)}, 'denied_attempt', ${severityOf("denied_attempt")},
      r.identity_id, r.entitlement_id, null, e.system_id,
      'Refused attempts on ' || e.name,
      jsonb_build_object('lastDeniedAt', r.last_denied_at, 'denied', r.denied_count)
    from usage_rollups r join entitlements e on e.id = r.entitlement_id join identities i on i.id = r.identity_id
    where r.last_denied_at >= ${ctx.since}::timestamptz and i.status = 'active' and e.privilege_level <> 'standard'`);

  const rows: DetectedRow[] = [];
  for (const [id, mine] of await ctx.actionUses()) {
    const refused = mine.filter((u) => u.denied > 0 && u.success === 0);
    if (refused.length === 0) continue;
    rows.push({
      key: findingKey({ kind: "denied_attempt", identityId: id, discriminator: "actions" }),
      kind: "denied_attempt",
      severity: refused.length > 10 ? "medium" : "low",
      identityId: id,
      systemId: mine[0].system_id,
      title: `${refused.length} action${refused.length === 1 ? "" : "s"} attempted and refused`,
      details: { actions: topActions(refused, "denied"), total: refused.length },
    });
  }
  await ctx.insertRows(rows);
};
