import { addDays, format, subDays } from "date-fns";
import { sql } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { queryRows } from "@/db/rows";

export const TREND_DAYS = 90;
/** "Used" in a daily snapshot: used at least once in the 30 days up to that day. */
export const USED_WITHIN_DAYS = 30;

const utcDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Figures any past day can be computed from, because grants keep their
 * windows and usage is rolled up by day: privilege approved, standing and
 * used, privilege active after its approval ended, and JIT activity.
 */
async function historicalFigures(tx: Tx, day: string, end: Date): Promise<Record<string, number>> {
  const at = end.toISOString();
  const [grants] = await queryRows<Record<string, number>>(
    tx,
    sql`with g as (
      select g.identity_id, g.entitlement_id, g.type, g.provenance, g.approval_expires_at, e.privilege_level <> 'standard' as privileged
      from grants g join entitlements e on e.id = g.entitlement_id
      where g.type <> 'eligible' and g.starts_at <= ${at}::timestamptz
        and (g.revoked_at is null or g.revoked_at > ${at}::timestamptz) and (g.expires_at is null or g.expires_at > ${at}::timestamptz))
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

/** Figures that only exist now: open findings and their breakdowns, orphans, overdue reviews and attestations, identities by kind. */
async function currentFigures(tx: Tx): Promise<Record<string, number>> {
  const [totals] = await queryRows<Record<string, number>>(
    tx,
    sql`select
      (select count(*) from identities i left join identities o on o.id = i.owner_id
        where i.kind <> 'human' and i.status = 'active' and (i.owner_id is null or o.status is distinct from 'active'))::int as "orphans",
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
  await breakdown("findings.system", sql`select s.name as k, count(*)::int as n from findings f left join systems s on s.id = f.system_id where f.status = 'open' group by 1`);
  await breakdown("findings.identityKind", sql`select i.kind::text as k, count(*)::int as n from findings f join identities i on i.id = f.identity_id where f.status = 'open' group by 1`);
  await breakdown("identities.kind", sql`select kind::text as k, count(*)::int as n from identities where status = 'active' group by 1`);
  return out;
}

/**
 * Today's snapshot (replaced on every run) and any of the last 90 days still
 * missing (computed from history, so trends exist from the first run).
 */
export async function writeSnapshots(db: Db, now: Date): Promise<number> {
  const today = utcDay(now);
  const have = new Set(
    (await queryRows<{ day: string }>(db, sql`select day::text as day from risk_snapshots where day >= ${utcDay(subDays(now, TREND_DAYS))}::date`)).map((r) => r.day),
  );
  let written = 0;
  for (let i = TREND_DAYS; i >= 1; i--) {
    const day = utcDay(subDays(now, i));
    if (have.has(day)) continue;
    await db.transaction(async (tx) => {
      const figures = await historicalFigures(tx, day, addDays(new Date(`${day}T00:00:00Z`), 1));
      await tx.execute(sql`insert into risk_snapshots (day, figures, computed_at) values (${day}::date, ${JSON.stringify(figures)}::jsonb, ${now.toISOString()}::timestamptz) on conflict (day) do nothing`);
    });
    written++;
  }
  await db.transaction(async (tx) => {
    const figures = { ...(await historicalFigures(tx, today, now)), ...(await currentFigures(tx)) };
    await tx.execute(sql`insert into risk_snapshots (day, figures, computed_at) values (${today}::date, ${JSON.stringify(figures)}::jsonb, ${now.toISOString()}::timestamptz)
      on conflict (day) do update set figures = excluded.figures, computed_at = excluded.computed_at`);
  });
  return written + 1;
}

export const dayLabel = (day: string) => format(new Date(`${day}T00:00:00Z`), "d MMM");
