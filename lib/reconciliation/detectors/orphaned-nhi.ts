import { sql } from "drizzle-orm";
import { findingKeySql as key } from "@/lib/findings/raise";
import { activeAt, type Detector } from "./context";

/** Active NHIs with no owner, or whose owner is no longer active. */
export const detectOrphanedNhi: Detector = (ctx) =>
  ctx.insert(sql`
    select ${key("orphaned_nhi", sql`i.id`, null, null)}, 'orphaned_nhi',
      -- Judged on the identity: the escalation analysis's verdict where it has one (a read-only role is not
      -- privileged, one that can escalate is), else the grants it holds.
      (case when coalesce((select ie.privilege_level <> 'standard' from identity_escalations ie where ie.identity_id = i.id),
        exists (select 1 from grants g join entitlements e on e.id = g.entitlement_id where g.identity_id = i.id and ${activeAt(ctx.now)} and e.privilege_level <> 'standard')) then 'high' else 'medium' end)::finding_severity,
      i.id, null, null, i.system_id,
      i.name || (case when i.owner_id is null then ' has no owner' else ' belongs to ' || o.display_name || ', who is ' || o.status::text end),
      jsonb_build_object('ownerId', i.owner_id, 'ownerStatus', o.status)
    from identities i left join identities o on o.id = i.owner_id
    where i.kind <> 'human' and i.status = 'active' and (i.owner_id is null or o.status is distinct from 'active')`);
