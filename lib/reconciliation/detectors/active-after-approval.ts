import { sql } from "drizzle-orm";
import { findingKeySql as key } from "@/lib/findings/raise";
import { activeAt, severityOf, type Detector } from "./context";

/** Grants still usable after their approval ended. */
export const detectActiveAfterApproval: Detector = (ctx) =>
  ctx.insert(sql`
    select ${key("active_after_approval", sql`g.identity_id`, sql`g.entitlement_id`, sql`g.id`)}, 'active_after_approval', ${severityOf("active_after_approval")},
      g.identity_id, g.entitlement_id, g.id, e.system_id,
      e.name || ' still active after its approval ended',
      jsonb_build_object('approvalExpiresAt', g.approval_expires_at, 'provenance', g.provenance, 'privilegeLevel', e.privilege_level)
    from grants g join entitlements e on e.id = g.entitlement_id join identities i on i.id = g.identity_id
    where ${activeAt(ctx.now)} and g.approval_expires_at < ${ctx.now}::timestamptz and i.status = 'active'`);
