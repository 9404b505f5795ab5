import { subDays } from "date-fns";
import { sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Tx } from "@/db/client";
import { queryRows } from "@/db/rows";
import { grantActiveAt, grantActiveDuring, grants, type FindingKind } from "@/db/schema";
import { findingKindSpecs } from "@/lib/findings/kinds";
import { findingKey, findingKeySql } from "@/lib/findings/raise";
import { permissionSetsOf } from "@/lib/permissions/sets";
import { isSensitiveAction } from "@/lib/permissions/aws/match";

export const RECONCILIATION_SOURCE = "reconciliation";

/** A credential type's maximum age when no rotation policy names it. */
const DEFAULT_CREDENTIAL_AGE_DAYS = 365;

/**
 * An active credential outside its type's rotation policy, for SQL over a
 * credential `c` left-joined to its policy `p` (credential_policies; a year
 * where a type has none): past its maximum age, expired but still active, or
 * without the expiry its policy requires. Findings and the inventory count agree.
 */
export const outsideRotationPolicy = (now: SQL) =>
  sql`(coalesce(c.last_rotated_at, c.issued_at) < ${now} - make_interval(days => coalesce(p.max_age_days, ${DEFAULT_CREDENTIAL_AGE_DAYS}))
    or c.expires_at < ${now} or (p.require_expiry and c.expires_at is null))`;

const key = findingKeySql;

/** Kinds whose severity follows the entitlement's privilege level. */
type ByLevel = { [K in keyof typeof findingKindSpecs]: (typeof findingKindSpecs)[K]["severity"] extends string ? never : K }[keyof typeof findingKindSpecs];

/** The kind's severity for the entitlement `e` of the detecting query, from the registry (lib/findings/kinds.ts). */
const severityOf = (kind: ByLevel) => {
  const s = findingKindSpecs[kind].severity;
  return sql`(case e.privilege_level when 'admin' then ${s.admin}::text when 'privileged' then ${s.privileged}::text else ${s.standard}::text end)::finding_severity`;
};

/** `grants g` in the SQL below. */
const g = alias(grants, "g");
const activeAt = (now: string) => grantActiveAt(sql`${now}::timestamptz`, g);

/**
 * One classification of every (identity, entitlement) pair, as findings, into
 * the temporary table `detected`:
 * - approved_unused: active, approved, and not used in the window
 * - unapproved_grant: active with no governance decision, and not used
 * - used_without_approval: used in the window with no approved grant covering it
 * - active_after_approval: still usable after its approval ended
 * - used_after_offboarding: used after the identity left or was retired
 * - denied_attempt: refused attempts on privileged access in the window
 * plus orphaned NHIs and long-lived credentials. Reads grants and roll-ups only.
 */
export async function detectPairFindings(tx: Tx, opts: { now: Date; windowDays: number }) {
  const now = opts.now.toISOString();
  const since = subDays(opts.now, opts.windowDays).toISOString();
  // A trusted whole number, written into the SQL: a parameter inside jsonb_build_object has no type.
  const w = sql.raw(String(Math.trunc(opts.windowDays)));
  const insert = (select: SQL) =>
    tx.execute(
      sql`insert into detected (key, kind, severity, identity_id, entitlement_id, grant_id, system_id, title, details) ${select} on conflict (key) do nothing`,
    );

  // Approved (or not) and unused.
  await insert(sql`
    select ${key("approved_unused", sql`g.identity_id`, sql`g.entitlement_id`, sql`g.id`)}, 'approved_unused', ${severityOf("approved_unused")},
      g.identity_id, g.entitlement_id, g.id, e.system_id,
      e.name || ' not used in ' || ${w} || ' days',
      jsonb_build_object('lastUsedAt', r.last_used_at, 'grantType', g.type, 'provenance', g.provenance, 'privilegeLevel', e.privilege_level, 'windowDays', ${w})
    from grants g join entitlements e on e.id = g.entitlement_id join identities i on i.id = g.identity_id
    left join usage_rollups r on r.identity_id = g.identity_id and r.entitlement_id = g.entitlement_id
    where ${activeAt(now)} and g.provenance <> 'none' and i.status = 'active' and g.starts_at <= ${since}::timestamptz
      and (r.last_used_at is null or r.last_used_at < ${since}::timestamptz)`);
  await insert(sql`
    select ${key("unapproved_grant", sql`g.identity_id`, sql`g.entitlement_id`, sql`g.id`)}, 'unapproved_grant', ${severityOf("unapproved_grant")},
      g.identity_id, g.entitlement_id, g.id, e.system_id,
      e.name || ' is active with no approval on record',
      jsonb_build_object('lastUsedAt', r.last_used_at, 'grantType', g.type, 'privilegeLevel', e.privilege_level)
    from grants g join entitlements e on e.id = g.entitlement_id join identities i on i.id = g.identity_id
    left join usage_rollups r on r.identity_id = g.identity_id and r.entitlement_id = g.entitlement_id
    where ${activeAt(now)} and g.provenance = 'none' and i.status = 'active'
      and (r.last_used_at is null or r.last_used_at < ${since}::timestamptz)`);

  // Used with nothing approved behind it during the window.
  await insert(sql`
    select ${key("used_without_approval", sql`r.identity_id`, sql`r.entitlement_id`, null)}, 'used_without_approval', ${severityOf("used_without_approval")},
      r.identity_id, r.entitlement_id, null, e.system_id,
      e.name || ' used without approval',
      jsonb_build_object('lastUsedAt', r.last_used_at, 'uses', r.success_count, 'privilegeLevel', e.privilege_level)
    from usage_rollups r join entitlements e on e.id = r.entitlement_id join identities i on i.id = r.identity_id
    where r.last_used_at >= ${since}::timestamptz and i.status = 'active'
      and not exists (select 1 from grants g where g.identity_id = r.identity_id and g.entitlement_id = r.entitlement_id
        and g.provenance <> 'none' and ${grantActiveDuring(sql`${since}::timestamptz`, sql`${now}::timestamptz`, g)})`);

  await insert(sql`
    select ${key("active_after_approval", sql`g.identity_id`, sql`g.entitlement_id`, sql`g.id`)}, 'active_after_approval', ${severityOf("active_after_approval")},
      g.identity_id, g.entitlement_id, g.id, e.system_id,
      e.name || ' still active after its approval ended',
      jsonb_build_object('approvalExpiresAt', g.approval_expires_at, 'provenance', g.provenance, 'privilegeLevel', e.privilege_level)
    from grants g join entitlements e on e.id = g.entitlement_id join identities i on i.id = g.identity_id
    where ${activeAt(now)} and g.approval_expires_at < ${now}::timestamptz and i.status = 'active'`);

  await insert(sql`
    select ${key("used_after_offboarding", sql`r.identity_id`, sql`r.entitlement_id`, null)}, 'used_after_offboarding', ${severityOf("used_after_offboarding")},
      r.identity_id, r.entitlement_id, null, e.system_id,
      e.name || ' used after ' || i.display_name || ' was ' || i.status::text,
      jsonb_build_object('lastUsedAt', r.last_used_at, 'leftAt', l.left_at, 'status', i.status)
    from identities i
    cross join lateral (select coalesce((select max(le.occurred_at) from lifecycle_events le where le.identity_id = i.id and le.type in ('leaver', 'decommission')), i.updated_at) as left_at) l
    join usage_rollups r on r.identity_id = i.id join entitlements e on e.id = r.entitlement_id
    where i.status in ('offboarded', 'disabled', 'decommissioned') and r.last_used_at > l.left_at`);

  await insert(sql`
    select ${key("denied_attempt", sql`r.identity_id`, sql`r.entitlement_id`, null)}, 'denied_attempt', ${severityOf("denied_attempt")},
      r.identity_id, r.entitlement_id, null, e.system_id,
      'Refused attempts on ' || e.name,
      jsonb_build_object('lastDeniedAt', r.last_denied_at, 'denied', r.denied_count)
    from usage_rollups r join entitlements e on e.id = r.entitlement_id join identities i on i.id = r.identity_id
    where r.last_denied_at >= ${since}::timestamptz and i.status = 'active' and e.privilege_level <> 'standard'`);

  await insert(sql`
    select ${key("orphaned_nhi", sql`i.id`, null, null)}, 'orphaned_nhi',
      -- Judged on the identity: the escalation analysis's verdict where it has one (a read-only role is not
      -- privileged, one that can escalate is), else the grants it holds.
      (case when coalesce((select ie.privilege_level <> 'standard' from identity_escalations ie where ie.identity_id = i.id),
        exists (select 1 from grants g join entitlements e on e.id = g.entitlement_id where g.identity_id = i.id and ${activeAt(now)} and e.privilege_level <> 'standard')) then 'high' else 'medium' end)::finding_severity,
      i.id, null, null, i.system_id,
      i.name || (case when i.owner_id is null then ' has no owner' else ' belongs to ' || o.display_name || ', who is ' || o.status::text end),
      jsonb_build_object('ownerId', i.owner_id, 'ownerStatus', o.status)
    from identities i left join identities o on o.id = i.owner_id
    where i.kind <> 'human' and i.status = 'active' and (i.owner_id is null or o.status is distinct from 'active')`);

  // Each credential against its type's rotation policy.
  await insert(sql`
    select ${key("stale_credential", sql`c.identity_id`, null, null, sql`c.id`)}, 'stale_credential',
      (case when c.expires_at < ${now}::timestamptz then 'high' else 'medium' end)::finding_severity,
      c.identity_id, null, null, i.system_id,
      c.label || (case when c.expires_at < ${now}::timestamptz then ' expired but still active'
        when coalesce(c.last_rotated_at, c.issued_at) >= ${now}::timestamptz - make_interval(days => coalesce(p.max_age_days, ${DEFAULT_CREDENTIAL_AGE_DAYS})) then ' has no expiry, which its policy requires'
        when c.last_rotated_at is null then ' never rotated in ' || (${now}::date - c.issued_at::date) || ' days'
        else ' last rotated ' || (${now}::date - c.last_rotated_at::date) || ' days ago' end)
        || (case when c.expires_at < ${now}::timestamptz then '' else ' (policy: rotate every ' || coalesce(p.max_age_days, ${DEFAULT_CREDENTIAL_AGE_DAYS}) || ' days)' end),
      jsonb_build_object('credentialId', c.id, 'type', c.type, 'issuedAt', c.issued_at, 'lastRotatedAt', c.last_rotated_at, 'expiresAt', c.expires_at,
        'maxAgeDays', coalesce(p.max_age_days, ${DEFAULT_CREDENTIAL_AGE_DAYS}), 'requireExpiry', coalesce(p.require_expiry, false))
    from credentials c join identities i on i.id = c.identity_id left join credential_policies p on p.type = c.type
    where c.status = 'active' and i.status = 'active' and ${outsideRotationPolicy(sql`${now}::timestamptz`)}`);
}

type ActionUse = { identity_id: string; system_id: string | null; action: string; success: number; denied: number; last_at: string };

/**
 * Cloud identities, action by action: actions used that none of the
 * identity's entitlements approves, and actions refused. One finding each per
 * identity, listing the actions. The entitlements' patterns are evaluated
 * here, so a later grant or revocation changes the verdict on the next run.
 */
export async function detectActionFindings(tx: Tx, opts: { now: Date; windowDays: number }) {
  const since = subDays(opts.now, opts.windowDays).toISOString().slice(0, 10);
  const uses = await queryRows<ActionUse>(
    tx,
    sql`select a.identity_id, i.system_id, a.action, sum(a.success_count)::int as success, sum(a.denied_count)::int as denied, max(a.last_at) as last_at
        from usage_action_daily a join identities i on i.id = a.identity_id
        where a.day >= ${since}::date and i.status = 'active'
          and exists (select 1 from grants g join entitlements e on e.id = g.entitlement_id where g.identity_id = a.identity_id and e.permissions is not null)
        group by 1, 2, 3`,
  );
  if (uses.length === 0) return;
  const identityIds = [...new Set(uses.map((u) => u.identity_id))];
  // The same permission sets (and boundaries) as the identity's own reconciliation, so both give one verdict.
  const sets = await permissionSetsOf(tx, identityIds, opts.now);
  // Uses grouped once by identity, in their order.
  const usesOf = new Map<string, ActionUse[]>();
  for (const u of uses) {
    const own = usesOf.get(u.identity_id);
    if (own) own.push(u);
    else usesOf.set(u.identity_id, [u]);
  }
  const rows: { key: string; kind: FindingKind; severity: string; identityId: string; systemId: string | null; title: string; details: object }[] = [];
  for (const id of identityIds) {
    const mine = usesOf.get(id)!;
    const set = sets.get(id)!;
    const unapproved = mine.filter((u) => u.success > 0 && !set.approvalFor(u.action));
    const refused = mine.filter((u) => u.denied > 0 && u.success === 0);
    const systemId = mine[0].system_id;
    const top = (list: ActionUse[], n: "success" | "denied") =>
      list
        .sort((a, b) => b[n] - a[n])
        .slice(0, 25)
        .map((u) => ({ action: u.action, count: u[n], lastAt: u.last_at }));
    if (unapproved.length) {
      const sensitive = unapproved.some((u) => isSensitiveAction(u.action));
      rows.push({
        key: findingKey({ kind: "used_without_approval", identityId: id, discriminator: "actions" }),
        kind: "used_without_approval",
        severity: sensitive ? "critical" : "high",
        identityId: id,
        systemId,
        title: `${unapproved.length} action${unapproved.length === 1 ? "" : "s"} used that no entitlement approves`,
        details: { actions: top(unapproved, "success"), total: unapproved.length },
      });
    }
    if (refused.length) {
      rows.push({
        key: findingKey({ kind: "denied_attempt", identityId: id, discriminator: "actions" }),
        kind: "denied_attempt",
        severity: refused.length > 10 ? "medium" : "low",
        identityId: id,
        systemId,
        title: `${refused.length} action${refused.length === 1 ? "" : "s"} attempted and refused`,
        details: { actions: top(refused, "denied"), total: refused.length },
      });
    }
  }
  for (let i = 0; i < rows.length; i += 1000) {
    await tx.execute(sql`insert into detected (key, kind, severity, identity_id, system_id, title, details)
      select r.key, r.kind::finding_kind, r.severity::finding_severity, r.identity_id, r.system_id, r.title, r.details
      from json_to_recordset((${JSON.stringify(rows.slice(i, i + 1000).map((r) => ({ key: r.key, kind: r.kind, severity: r.severity, identity_id: r.identityId, system_id: r.systemId, title: r.title, details: r.details })))}::text)::json)
        as r(key text, kind text, severity text, identity_id uuid, system_id uuid, title text, details jsonb)
      on conflict (key) do nothing`);
  }
}
