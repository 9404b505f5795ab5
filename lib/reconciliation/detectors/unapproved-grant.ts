import { sql } from "drizzle-orm";
import { findingKeySql as key } from "@/lib/findings/raise";
import { activeAt, severityOf, type Detector } from "./context";

/** Active grants with no governance decision behind them, and not used in the window. */
export const detectUnapprovedGrant: Detector = (ctx) =>
  ctx.insert(sql`
    select ${key("unapproved_grant", sql`g.identity_id`, sql`g.entitlement_id`, sql`g.id`)}, 'unapproved_grant', ${severityOf("unapproved_grant")},
      g.identity_id, g.entitlement_id, g.id, e.system_id,
      e.name || ' is active with no approval on record',
      jsonb_build_object('lastUsedAt', r.last_used_at, 'grantType', g.type, 'privilegeLevel', e.privilege_level)
    from grants g join entitlements e on e.id = g.entitlement_id join identities i on i.id = g.identity_id
    left join usage_rollups r on r.identity_id = g.identity_id and r.entitlement_id = g.entitlement_id
    where ${activeAt(ctx.now)} and g.provenance = 'none' and i.status = 'active'
      and (r.last_used_at is null or r.last_used_at < ${ctx.since}::timestamptz)`);
