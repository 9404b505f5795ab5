import { subDays } from "date-fns";
import { sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Tx } from "@/db/client";
import { queryRows } from "@/db/rows";
import { grantActiveAt, grants, type FindingKind } from "@/db/schema";
import { findingKindSpecs, type Severity } from "@/lib/findings/kinds";

/**
 * What every reconciliation detector is handed: the transaction, the run's
 * time and window, and the writers into the run's temporary `detected` table
 * (one row per finding key; the run merges it into `findings`).
 */
export type DetectContext = {
  tx: Tx;
  /** The run's time, and the start of its usage window, as ISO text for SQL. */
  now: string;
  since: string;
  at: Date;
  windowDays: number;
  /** Inserts the rows `select` yields: key, kind, severity, identity_id, entitlement_id, grant_id, system_id, title, details. */
  insert: (select: SQL) => Promise<void>;
  /** Inserts findings computed in TypeScript. */
  insertRows: (rows: DetectedRow[]) => Promise<void>;
  /** Cloud action uses in the window, per identity, read once for every detector that asks. */
  actionUses: () => Promise<Map<string, ActionUse[]>>;
};

/** One kind's detector. Several run per pass; each writes only its own kind. */
export type Detector = (ctx: DetectContext) => Promise<void>;

export type DetectedRow = { key: string; kind: FindingKind; severity: Severity; identityId: string; systemId: string | null; title: string; details: object };

export type ActionUse = {
  identity_id: string;
  system_id: string | null;
  system_kind: string | null;
  action: string;
  success: number;
  denied: number;
  last_at: string;
};

/** Kinds whose severity follows the entitlement's privilege level. */
type ByLevel = { [K in keyof typeof findingKindSpecs]: (typeof findingKindSpecs)[K]["severity"] extends string ? never : K }[keyof typeof findingKindSpecs];

/** The kind's severity for the entitlement `e` of the detecting query, from the registry (lib/findings/kinds.ts). */
export const severityOf = (kind: ByLevel) => {
  const s = findingKindSpecs[kind].severity;
  return sql`(case e.privilege_level when 'admin' then ${s.admin}::text when 'privileged' then ${s.privileged}::text else ${s.standard}::text end)::finding_severity`;
};

/** `grants g` in the detectors' SQL. */
export const g = alias(grants, "g");
/** Whether the grant `g` is active at the run's time. */
export const activeAt = (now: string) => grantActiveAt(sql`${now}::timestamptz`, g);

/** The most used (or refused) actions of a list, for a finding's details. */
export const topActions = (list: ActionUse[], n: "success" | "denied") =>
  [...list]
    .sort((a, b) => b[n] - a[n])
    .slice(0, 25)
    .map((u) => ({ action: u.action, count: u[n], lastAt: u.last_at }));

export function detectContext(tx: Tx, opts: { now: Date; windowDays: number }): DetectContext {
  const now = opts.now.toISOString();
  const since = subDays(opts.now, opts.windowDays);
  let uses: Promise<Map<string, ActionUse[]>> | null = null;
  return {
    tx,
    now,
    since: since.toISOString(),
    at: opts.now,
    windowDays: opts.windowDays,
    async insert(select) {
      await tx.execute(
        sql`insert into detected (key, kind, severity, identity_id, entitlement_id, grant_id, system_id, title, details) ${select} on conflict (key) do nothing`,
      );
    },
    async insertRows(rows) {
      for (let i = 0; i < rows.length; i += 1000) {
        const batch = rows.slice(i, i + 1000).map((r) => ({
          key: r.key,
          kind: r.kind,
          severity: r.severity,
          identity_id: r.identityId,
          system_id: r.systemId,
          title: r.title,
          details: r.details,
        }));
        await tx.execute(sql`insert into detected (key, kind, severity, identity_id, system_id, title, details)
          select r.key, r.kind::finding_kind, r.severity::finding_severity, r.identity_id, r.system_id, r.title, r.details
          from json_to_recordset((${JSON.stringify(batch)}::text)::json)
            as r(key text, kind text, severity text, identity_id uuid, system_id uuid, title text, details jsonb)
          on conflict (key) do nothing`);
      }
    },
    actionUses() {
      uses ??= readActionUses(tx, since.toISOString().slice(0, 10));
      return uses;
    },
  };
}

/** Action uses of active identities holding at least one entitlement with a permission model, grouped by identity in their order. */
async function readActionUses(tx: Tx, sinceDay: string) {
  const rows = await queryRows<ActionUse>(
    tx,
    sql`select a.identity_id, i.system_id, s.kind as system_kind, a.action,
          sum(a.success_count)::int as success, sum(a.denied_count)::int as denied, max(a.last_at) as last_at
        from usage_action_daily a join identities i on i.id = a.identity_id left join systems s on s.id = i.system_id
        where a.day >= ${sinceDay}::date and i.status = 'active'
          and exists (select 1 from grants g join entitlements e on e.id = g.entitlement_id where g.identity_id = a.identity_id and e.permissions is not null)
        group by 1, 2, 3, 4`,
  );
  const byIdentity = new Map<string, ActionUse[]>();
  for (const u of rows) {
    const own = byIdentity.get(u.identity_id);
    if (own) own.push(u);
    else byIdentity.set(u.identity_id, [u]);
  }
  return byIdentity;
}
