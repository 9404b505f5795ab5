import { sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { grantActiveAt, grantActiveDuring, grants } from "@/db/schema";
import type { Db, Tx } from "@/db/client";
import { queryRows } from "@/db/rows";
import { auditedTransaction } from "@/lib/audit/record";
import { orphanFilter } from "@/lib/identities/figures";
import { INVENTORY_UNUSED_DAYS, inventoryTotals } from "./inventory-totals";

/** `grants g` in the SQL below. */
const grantsG = alias(grants, "g");

export const TREND_DAYS = 90;
/** "Used" in a daily snapshot: used at least once in the 30 days up to that day. */
export const USED_WITHIN_DAYS = 30;

const utcDay = (d: Date) => d.toISOString().slice(0, 10);
/** The day `n` days from `day`, counted in UTC days whatever the server's time zone (no daylight-saving hour). */
const addUtcDays = (day: string, n: number) => utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000));

/**
 * Figures any past day can be computed from, because grants keep their
 * windows and usage is rolled up by day: privilege approved, standing and
 * used, privilege active after its approval ended, and JIT activity.
 */
export async function historicalFigures(tx: Tx, day: string, end: Date): Promise<Record<string, number>> {
  const at = end.toISOString();
  const [grants] = await queryRows<Record<string, number>>(
    tx,
    sql`with g as (
      select g.identity_id, g.entitlement_id, g.type, g.provenance, g.approval_expires_at, e.privilege_level <> 'standard' as privileged
      from grants g join entitlements e on e.id = g.entitlement_id
      where ${grantActiveAt(end, grantsG)})
    select
      (count(*))::int as "activeGrants",
      (count(*) filter (where privileged and type = 'standing'))::int as "standingPrivileged",
      (count(*) filter (where privileged and provenance <> 'none'))::int as "privilegedApproved",
      (count(*) filter (where privileged and provenance <> 'none' and exists (
        select 1 from usage_daily d where d.identity_id = g.identity_id and d.entitlement_id = g.entitlement_id
          and d.day > ${day}::date - ${USED_WITHIN_DAYS}::int and d.day <= ${day}::date and d.success_count > 0)))::int as "privilegedUsed",
      (count(*) filter (where approval_expires_at < ${at}::timestamptz))::int as "activeAfterApproval",
      (count(*) filter (where provenance = 'none'))::int as "unapprovedActive"
    from g`,
  );
  const [jit] = await queryRows<Record<string, number | null>>(
    tx,
    sql`select (count(*))::int as "jitRequests", (count(*) filter (where break_glass))::int as "breakGlass",
        (count(*) filter (where grant_id is not null))::int as "jitApproved",
        (percentile_cont(0.5) within group (order by duration_minutes) filter (where grant_id is not null))::real as "jitMedianMinutes"
      from jit_requests where created_at >= ${day}::date and created_at < ${day}::date + 1`,
  );
  return { ...grants, ...Object.fromEntries(Object.entries(jit).map(([k, v]) => [k, v ?? 0])) };
}

/**
 * historicalFigures for many past days in one pass over grants and roll-ups,
 * the same figures to the unit: each grant is counted on the days its window
 * covers (from its start, up to its revocation or expiry), found by bucketing
 * each boundary among the days' end instants; "used" is the union, per grant,
 * of the 30-day spans its days of use cover. `ends[i]` is the instant day
 * `days[i]` is taken at, as historicalFigures takes it; days ascending.
 */
export async function historicalFiguresForDays(tx: Tx, days: string[], ends: Date[]): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  if (days.length === 0) return out;
  const dayList = JSON.stringify(days);
  const endList = JSON.stringify(ends.map((e) => e.toISOString()));
  // b(x): the first day whose end instant is at or after x (days.length + 1: none). A grant starting at s counts from b(s).
  const bucket = (x: string) => `(width_bucket(${x} - interval '1 microsecond', t.ends) + 1)`;
  const rows = await queryRows<{ i: number } & Record<string, number>>(
    tx,
    sql`with t as (select array(select (jsonb_array_elements_text(${endList}::jsonb))::timestamptz) as ends,
          array(select (jsonb_array_elements_text(${dayList}::jsonb))::date) as days),
      n as (select cardinality(ends) as n, ends[1] as first_end, ends[cardinality(ends)] as last_end, days[1] as first_day, days[cardinality(days)] as last_day from t),
      g as (
        select g.id, g.identity_id, g.entitlement_id, g.type, g.provenance, g.approval_expires_at as ae, g.starts_at as s,
          least(g.revoked_at, g.expires_at) as e, e.privilege_level <> 'standard' as privileged
        from grants g join entitlements e on e.id = g.entitlement_id, n
        where ${grantActiveDuring(sql`n.first_end`, sql`n.last_end`, grantsG)}),
      -- Each grant: +1 from the first day it is active, -1 from the first day it has ended (never before it started).
      b as (
        select ${sql.raw(bucket("g.s"))} as from_b, case when g.e is null then null else ${sql.raw(bucket("greatest(g.s, g.e)"))} end as to_b,
          case when g.ae is null then null else ${sql.raw(bucket("greatest(g.s, g.ae + interval '1 microsecond')"))} end as after_from_b,
          case when g.ae is null or g.e is null then null else ${sql.raw(bucket("greatest(g.s, g.ae + interval '1 microsecond', g.e)"))} end as after_to_b,
          g.*
        from g, t),
      deltas as (
        select from_b as i, 1 as d, type, provenance, privileged, false as after from b
        union all select to_b, -1, type, provenance, privileged, false from b where to_b is not null
        union all select after_from_b, 1, type, provenance, privileged, true from b where after_from_b is not null
        union all select after_to_b, -1, type, provenance, privileged, true from b where after_to_b is not null),
      per_bucket as (
        select i,
          coalesce(sum(d) filter (where not after), 0) as active,
          coalesce(sum(d) filter (where not after and privileged and type = 'standing'), 0) as standing_privileged,
          coalesce(sum(d) filter (where not after and privileged and provenance <> 'none'), 0) as privileged_approved,
          coalesce(sum(d) filter (where after), 0) as after_approval,
          coalesce(sum(d) filter (where not after and provenance = 'none'), 0) as unapproved
        from deltas group by i),
      -- Used: a success on day u counts for days u .. u+29; merged per grant into runs of days, cut to the days it is active.
      spans as (
        select b.id, greatest(width_bucket(d.day - 1, t.days) + 1, b.from_b) as lo,
          least(width_bucket(d.day + ${sql.raw(String(USED_WITHIN_DAYS - 1))}, t.days), coalesce(b.to_b - 1, n.n)) as hi
        from b join usage_daily d on d.identity_id = b.identity_id and d.entitlement_id = b.entitlement_id, t, n
        where b.privileged and b.provenance <> 'none' and d.success_count > 0
          and d.day > n.first_day - ${sql.raw(String(USED_WITHIN_DAYS))} and d.day <= n.last_day),
      marked as (
        select id, lo, hi, case when lo <= max(hi) over (partition by id order by lo, hi rows between unbounded preceding and 1 preceding) + 1 then 0 else 1 end as starts
        from spans where lo <= hi),
      runs as (
        select id, min(lo) as lo, max(hi) as hi from (select *, sum(starts) over (partition by id order by lo, hi) as run from marked) x group by id, run),
      used as (
        select i, sum(d) as used from (select lo as i, 1 as d from runs union all select hi + 1, -1 from runs) x group by i)
      select s.i,
        (sum(coalesce(p.active, 0)) over w)::int as "activeGrants",
        (sum(coalesce(p.standing_privileged, 0)) over w)::int as "standingPrivileged",
        (sum(coalesce(p.privileged_approved, 0)) over w)::int as "privilegedApproved",
        (sum(coalesce(u.used, 0)) over w)::int as "privilegedUsed",
        (sum(coalesce(p.after_approval, 0)) over w)::int as "activeAfterApproval",
        (sum(coalesce(p.unapproved, 0)) over w)::int as "unapprovedActive"
      from n, generate_series(1, n.n) s(i)
        left join per_bucket p on p.i = s.i left join used u on u.i = s.i
      window w as (order by s.i)
      order by s.i`,
  );
  // Events before the first day's end fall in bucket 1 already (width_bucket answers 0 below the first bound).
  const jit = await queryRows<{ day: string } & Record<string, number | null>>(
    tx,
    sql`select d.day::text as day, (count(r.id))::int as "jitRequests", (count(r.id) filter (where r.break_glass))::int as "breakGlass",
        (count(r.id) filter (where r.grant_id is not null))::int as "jitApproved",
        (percentile_cont(0.5) within group (order by r.duration_minutes) filter (where r.grant_id is not null))::real as "jitMedianMinutes"
      from (select (jsonb_array_elements_text(${dayList}::jsonb))::date as day) d
        left join jit_requests r on r.created_at >= d.day and r.created_at < d.day + 1
      group by d.day`,
  );
  const jitByDay = new Map(jit.map(({ day, ...figures }) => [day, Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, v ?? 0]))]));
  for (const { i, ...figures } of rows) out.set(days[i - 1], { ...figures, ...jitByDay.get(days[i - 1])! });
  return out;
}

/** Figures that only exist now: open findings and their breakdowns, orphans, overdue reviews and attestations, identities by kind. */
async function currentFigures(tx: Tx): Promise<Record<string, number>> {
  const [totals] = await queryRows<Record<string, number>>(
    tx,
    sql`select
      (select count(*) from identities where ${orphanFilter})::int as "orphans",
      (select count(*) from identities where kind <> 'human' and status = 'active' and next_attestation_at < now())::int as "overdueAttestations",
      (select count(*) from review_items ri join campaigns c on c.id = ri.campaign_id
        where c.status = 'active' and ri.decision is null and ri.closed_at is null and ri.due_at < now())::int as "overdueReviews",
      (select count(*) from findings where status = 'open')::int as "openFindings",
      (select count(*) from identity_risk where creep_score >= 50)::int as "highCreepIdentities",
      (select coalesce(sum(exposure_hours), 0) from identity_risk)::real as "exposureHours",
      (select coalesce(sum(used_hours), 0) from identity_risk)::real as "usedHours"`,
  );
  const out: Record<string, number> = { ...totals };
  const breakdown = async (prefix: string, query: ReturnType<typeof sql>) => {
    for (const r of await queryRows<{ k: string | null; n: number }>(tx, query)) out[`${prefix}.${r.k ?? "none"}`] = r.n;
  };
  await breakdown("findings.kind", sql`select kind::text as k, count(*)::int as n from findings where status = 'open' group by 1`);
  await breakdown("findings.severity", sql`select severity::text as k, count(*)::int as n from findings where status = 'open' group by 1`);
  await breakdown(
    "findings.system",
    sql`select s.name as k, count(*)::int as n from findings f left join systems s on s.id = f.system_id where f.status = 'open' group by 1`,
  );
  await breakdown(
    "findings.identityKind",
    sql`select i.kind::text as k, count(*)::int as n from findings f join identities i on i.id = f.identity_id where f.status = 'open' group by 1`,
  );
  await breakdown("identities.kind", sql`select kind::text as k, count(*)::int as n from identities where status = 'active' group by 1`);
  Object.assign(out, await reachAdminFigures(tx));
  // The inventory summary's totals (GET /api/v1/dashboard/summary reads them from here), counted the one way.
  for (const [k, n] of Object.entries(await inventoryTotals(tx, INVENTORY_UNUSED_DAYS))) out[`inventory.${k}`] = n;
  return out;
}

/**
 * Who can reach administrator access, from the escalation analysis's verdicts
 * on active identities: `escalation.analysed` identities analysed; when there
 * are any, by kind those holding it (`reachAdmin.holds.<kind>`) and those that
 * can escalate to it (`reachAdmin.escalates.<kind>`), how many of them only
 * under conditions, and the people and NHI totals the trend draws. Nothing but
 * the count when none was analysed: no figure then, rather than a zero nobody checked.
 */
export async function reachAdminFigures(tx: Tx): Promise<Record<string, number>> {
  const rows = await queryRows<{ kind: string; analysed: number; holds: number; escalates: number; conditional: number }>(
    tx,
    sql`select i.kind::text as kind, count(*)::int as analysed,
        (count(*) filter (where ie.holds_admin))::int as holds,
        (count(*) filter (where ie.reaches_admin and not ie.holds_admin))::int as escalates,
        (count(*) filter (where ie.reaches_admin and not ie.holds_admin and ie.path_conditional))::int as conditional
      from identity_escalations ie join identities i on i.id = ie.identity_id
      where i.status = 'active' group by 1`,
  );
  const out: Record<string, number> = { "escalation.analysed": rows.reduce((n, r) => n + r.analysed, 0) };
  if (out["escalation.analysed"] === 0) return out;
  let people = 0;
  let nhi = 0;
  let conditional = 0;
  for (const r of rows) {
    if (r.holds) out[`reachAdmin.holds.${r.kind}`] = r.holds;
    if (r.escalates) out[`reachAdmin.escalates.${r.kind}`] = r.escalates;
    if (r.kind === "human") people += r.holds + r.escalates;
    else nhi += r.holds + r.escalates;
    conditional += r.conditional;
  }
  return { ...out, reachAdminPeople: people, reachAdminNhi: nhi, reachAdminConditional: conditional };
}

/**
 * The first day of recorded usage when it is later than `needed` (the lookback
 * of the oldest day to snapshot), "none" when nothing was ever used, null when
 * history reaches back far enough. The existence check stops at its first row
 * where history is long; only a young history is scanned for its minimum.
 * (A day or "none": both strings, so the type says string.)
 */
async function usageHistoryStart(tx: Tx, needed: string): Promise<string | null> {
  const [covered] = await queryRows<{ ok: number }>(tx, sql`select 1 as ok from usage_daily where day <= ${needed}::date limit 1`);
  if (covered) return null;
  const [{ first }] = await queryRows<{ first: string | null }>(tx, sql`select min(day)::text as first from usage_daily`);
  return first ?? "none";
}

/**
 * Today's snapshot (replaced on every run) and any of the last 90 days still
 * missing (computed from history, so trends exist from the first run).
 */
export async function writeSnapshots(db: Db, now: Date): Promise<number> {
  const today = utcDay(now);
  // The 90 days before today, oldest first, as historicalFiguresForDays takes them.
  const past = Array.from({ length: TREND_DAYS }, (_, i) => addUtcDays(today, i - TREND_DAYS));
  const have = new Set(
    (await queryRows<{ day: string }>(db, sql`select day::text as day from risk_snapshots where day >= ${past[0]}::date`)).map((r) => r.day),
  );
  // Missing past days, computed together in one pass (the first run back-fills 90 of them).
  const missing = past.filter((day) => !have.has(day));
  // "Used in the prior 30 days" is only known for days whose 30 days all lie within recorded usage: before
  // that it would count only part of the window, and the trend would show privilege falling into use as
  // history fills. Such days carry no privilegedUsed at all (the chart leaves a gap).
  const lookbackOf = (day: string) => addUtcDays(day, 1 - USED_WITHIN_DAYS);
  const historyStart = await usageHistoryStart(db, lookbackOf(missing[0] ?? today));
  const knowable = <T extends Record<string, number>>(day: string, figures: T): T => {
    if (historyStart === null || (historyStart !== "none" && historyStart <= lookbackOf(day))) return figures;
    const { privilegedUsed: _, ...rest } = figures;
    return rest as T;
  };
  if (missing.length) {
    await auditedTransaction(db, async (tx) => {
      const figures = await historicalFiguresForDays(
        tx,
        missing,
        missing.map((day) => new Date(`${addUtcDays(day, 1)}T00:00:00Z`)),
      );
      const rows = missing.map((day) => ({ day, figures: knowable(day, figures.get(day)!) }));
      await tx.execute(sql`insert into risk_snapshots (day, figures, computed_at)
        select (r->>'day')::date, r->'figures', ${now.toISOString()}::timestamptz from jsonb_array_elements(${JSON.stringify(rows)}::jsonb) r
        on conflict (day) do nothing`);
    });
  }
  await auditedTransaction(db, async (tx) => {
    const figures = { ...knowable(today, await historicalFigures(tx, today, now)), ...(await currentFigures(tx)) };
    await tx.execute(sql`insert into risk_snapshots (day, figures, computed_at) values (${today}::date, ${JSON.stringify(figures)}::jsonb, ${now.toISOString()}::timestamptz)
      on conflict (day) do update set figures = excluded.figures, computed_at = excluded.computed_at`);
  });
  return missing.length + 1;
}
