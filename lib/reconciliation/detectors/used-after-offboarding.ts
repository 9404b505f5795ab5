import { sql } from "drizzle-orm";
import { findingKeySql as key } from "@/lib/findings/raise";
import { severityOf, type Detector } from "./context";

/** Use recorded after the identity left or was retired (its last leaver or decommission event, else its last change). */
export const detectUsedAfterOffboarding: Detector = (ctx) =>
  ctx.insert(sql`
    select ${key("used_after_offboarding", sql`r.identity_id`, sql`r.entitlement_id`, null)}, 'used_after_offboarding', ${severityOf("used_after_offboarding")},
      r.identity_id, r.entitlement_id, null, e.system_id,
      e.name || ' used after ' || i.display_name || ' was ' || i.status::text,
      jsonb_build_object('lastUsedAt', r.last_used_at, 'leftAt', l.left_at, 'status', i.status)
    from identities i
    cross join lateral (select coalesce((select max(le.occurred_at) from lifecycle_events le where le.identity_id = i.id and le.type in ('leaver', 'decommission')), i.updated_at) as left_at) l
    join usage_rollups r on r.identity_id = i.id join entitlements e on e.id = r.entitlement_id
    where i.status in ('offboarded', 'disabled', 'decommissioned') and r.last_used_at > l.left_at`);
