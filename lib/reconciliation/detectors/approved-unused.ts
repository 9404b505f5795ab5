import { sql } from "drizzle-orm";
import { findingKeySql as key } from "@/lib/findings/raise";
import { activeAt, severityOf, type Detector } from "./context";

/** Active, approved grants not used in the window (granted before it began: a grant younger than the window has not had its chance). */
export const detectApprovedUnused: Detector = (ctx) => {
  // A trusted whole number, written into the SQL: a parameter inside jsonb_build_object has no type.
  const w = sql.raw(String(Math.trunc(ctx.windowDays)));
  return ctx.insert(sql`
    select ${key("approved_unused", sql`g.identity_id`, sql`g.entitlement_id`, sql`g.id`)}, 'approved_unused', ${severityOf("approved_unused")},
      g.identity_id, g.entitlement_id, g.id, e.system_id,
      e.name || ' not used in ' || ${w} || ' days',
      jsonb_build_object('lastUsedAt', r.last_used_at, 'grantType', g.type, 'provenance', g.provenance, 'privilegeLevel', e.privilege_level, 'windowDays', ${w})
    from grants g join entitlements e on e.id = g.entitlement_id join identities i on i.id = g.identity_id
    left join usage_rollups r on r.identity_id = g.identity_id and r.entitlement_id = g.entitlement_id
    where ${activeAt(ctx.now)} and g.provenance <> 'none' and i.status = 'active' and g.starts_at <= ${ctx.since}::timestamptz
      and (r.last_used_at is null or r.last_used_at < ${ctx.since}::timestamptz)`);
};
