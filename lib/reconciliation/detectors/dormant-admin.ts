import { sql } from "drizzle-orm";
import { findingKeySql as key } from "@/lib/findings/raise";
import { activeAt, type Detector } from "./context";

/** From this many admin roles in one system, holding them all unused is one finding of its own. */
export const DORMANT_ADMIN_MIN = 2;
/** Entitlements named in a finding's details (the count is always whole). */
const NAMED = 20;

/**
 * Identities holding administrator roles on several resources of one system
 * (admin on 40 repositories of an organisation) and using none of them in the
 * window: one finding per identity and system (roles counted once, however
 * many grants hold them: standing and a JIT window), beside each role's own
 * "approved but unused", so the pattern is seen as one. Roles granted within
 * the window have not had their chance and are left out, as there.
 */
export const detectDormantAdmin: Detector = (ctx) => {
  const w = sql.raw(String(Math.trunc(ctx.windowDays)));
  return ctx.insert(sql`
    select ${key("dormant_admin", sql`x.identity_id`, null, null, sql`x.system_id`)}, 'dormant_admin', 'high'::finding_severity,
      x.identity_id, null, null, x.system_id,
      i.name || ' holds ' || x.n || ' admin roles in ' || s.name || ' and used none of them in ' || ${w} || ' days',
      jsonb_build_object('adminRoles', x.n, 'entitlements', to_jsonb(x.names), 'lastUsedAt', x.last_used_at, 'windowDays', ${w})
    from (
      select g.identity_id, e.system_id, count(distinct e.id)::int as n, (array_agg(distinct e.name order by e.name))[1:${sql.raw(String(NAMED))}] as names,
        max(r.last_used_at) as last_used_at
      from grants g join entitlements e on e.id = g.entitlement_id
      left join usage_rollups r on r.identity_id = g.identity_id and r.entitlement_id = g.entitlement_id
      where ${activeAt(ctx.now)} and g.provenance <> 'none' and e.privilege_level = 'admin' and g.starts_at <= ${ctx.since}::timestamptz
      group by g.identity_id, e.system_id
      having count(distinct e.id) >= ${sql.raw(String(DORMANT_ADMIN_MIN))} and (max(r.last_used_at) is null or max(r.last_used_at) < ${ctx.since}::timestamptz)
    ) x
    join identities i on i.id = x.identity_id and i.status = 'active'
    join systems s on s.id = x.system_id`);
};
