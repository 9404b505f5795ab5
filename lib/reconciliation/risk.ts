import { subDays } from "date-fns";
import { sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { grantActiveAt, grantActiveDuring, grants } from "@/db/schema";
import type { Tx } from "@/db/client";
import { queryRows } from "@/db/rows";

/** `grants g` in the SQL below. */
const g = alias(grants, "g");

/**
 * Scores every identity holding privileged access, over the window:
 * - creep score 0-100: the share of its active privileged grants not used in the window;
 * - exposure hours: hours its privileged grants were usable within the window,
 *   against used hours: distinct hours with use of privileged access (from the
 *   hourly bitmask of the daily roll-up).
 * Replaces the table's contents in the caller's transaction.
 */
export async function computeIdentityRisk(tx: Tx, opts: { now: Date; windowDays: number }): Promise<number> {
  const now = opts.now.toISOString();
  const since = subDays(opts.now, opts.windowDays).toISOString();
  await tx.execute(sql`delete from identity_risk`);
  const [row] = await queryRows<{ n: number }>(
    tx,
    sql`with live as (
      select g.identity_id, g.provenance, g.approval_expires_at, g.starts_at, g.revoked_at, g.expires_at,
        e.privilege_level <> 'standard' as privileged,
        ${grantActiveAt(sql`${now}::timestamptz`, g)} as active_now,
        (r.last_used_at is not null and r.last_used_at >= ${since}::timestamptz) as used
      from grants g join entitlements e on e.id = g.entitlement_id
      left join usage_rollups r on r.identity_id = g.identity_id and r.entitlement_id = g.entitlement_id
      where ${grantActiveDuring(sql`${since}::timestamptz`, sql`${now}::timestamptz`, g)}
    ),
    per_identity as (
      select identity_id,
        (count(*) filter (where privileged and active_now))::int as privileged_grants,
        (count(*) filter (where privileged and active_now and not used))::int as unused_privileged,
        coalesce(sum(extract(epoch from (least(coalesce(revoked_at, 'infinity'), coalesce(expires_at, 'infinity'), ${now}::timestamptz)
          - greatest(starts_at, ${since}::timestamptz))) / 3600) filter (where privileged), 0)::real as exposure_hours,
        (count(*) filter (where active_now and provenance = 'none'))::int as unapproved,
        (count(*) filter (where active_now and approval_expires_at < ${now}::timestamptz))::int as active_after
      from live group by identity_id
    ),
    used_hours as (
      select d.identity_id, sum(bit_count(d.hour_mask::bit(24)))::real as used_hours
      from usage_daily d join entitlements e on e.id = d.entitlement_id
      where e.privilege_level <> 'standard' and d.day >= ${since}::date and d.day <= ${now}::date
      group by 1
    ),
    ins as (
      insert into identity_risk (identity_id, window_days, privileged_grants, unused_privileged, creep_score, exposure_hours, used_hours, unapproved_pairs, active_after_approval, computed_at)
      select p.identity_id, ${opts.windowDays}, p.privileged_grants, p.unused_privileged,
        case when p.privileged_grants = 0 then 0 else round(100.0 * p.unused_privileged / p.privileged_grants)::int end,
        p.exposure_hours, least(coalesce(u.used_hours, 0), p.exposure_hours), p.unapproved, p.active_after, ${now}::timestamptz
      from per_identity p join identities i on i.id = p.identity_id left join used_hours u on u.identity_id = p.identity_id
      where i.status = 'active' and (p.privileged_grants > 0 or p.unapproved > 0 or p.active_after > 0 or p.exposure_hours > 0)
      returning 1)
    select count(*)::int as n from ins`,
  );
  return row.n;
}
