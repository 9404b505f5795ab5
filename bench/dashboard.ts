/**
 * npm run bench:dashboard — the risk dashboard, findings and inventory queries at scale.
 *
 * Seeds an empty PostgreSQL database (once: a database that already holds the
 * bench data is only measured) with an organisation shaped like the product's
 * but far larger than the demo seed: people with managers and teams, NHIs of
 * every kind with owners (some orphaned), systems of every kind, entitlements
 * at every privilege level (AWS ones with IAM patterns), BENCH_GRANTS (default
 * 1,000,000) standing, JIT and eligible grants with provenance, approval expiry
 * and revocations, JIT requests behind the JIT grants, credentials,
 * lifecycle events, and BENCH_EVENTS (default 10,000,000) usage events rolled
 * up into usage_rollups, usage_daily and usage_action_daily exactly as
 * recordUsage folds them. Conditions every finding kind looks for are
 * planted: unused and unapproved grants, use without approval, approval
 * expired, use after offboarding, refused attempts, orphans, old credentials.
 *
 * Then runs runReconciliation once (timed; the first run back-fills 90 days of
 * snapshots; a rerun times a pass over unchanged data), vacuums what it wrote as
 * autovacuum would, and prints p50/p95 over BENCH_RUNS (default 30) runs, after
 * a warm-up, of each dashboard query. BENCH_RECONCILE=0 skips the reconciliation pass,
 * BENCH_ONLY=<regexp> measures only the queries whose label matches.
 *
 *   createdb -h 127.0.0.1 -U postgres bench_dashboard
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dashboard npm run bench:dashboard
 *
 * Target (printed, never asserted): p95 under 200 ms for every query.
 */
import { sql } from "drizzle-orm";
import { openDatabase, resolveTarget, type Db, type Tx } from "@/db/client";
import { recordLatestDecisions } from "@/db/grant-decisions";
import { migrate } from "@/db/migrate";
import { queryRows } from "@/db/rows";
import { resolveCaller } from "@/lib/caller";
import { inventorySummary } from "@/lib/dashboard/summary";
import { inventoryTotals } from "@/lib/reconciliation/inventory-totals";
import { listIdentities } from "@/lib/identities/list";
import { installJobs } from "@/lib/runtime/job-runner";
import { riskDashboard } from "@/lib/reconciliation/dashboard";
import { listFindings } from "@/lib/reconciliation/findings";
import { frameworkView } from "@/lib/reconciliation/frameworks";
import { runReconciliation } from "@/lib/reconciliation/run";
import { percentile, timeRuns } from "./stats";
import { useBenchAuditKey } from "./audit-key";

const GRANTS = Number(process.env.BENCH_GRANTS ?? 1_000_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const TARGET_MS = 200;
// The organisation grows with the grants: NHIs outnumber people 24 to 1.
const PEOPLE = Math.max(100, Math.round(GRANTS / 83));
const NHIS = PEOPLE * 24;
const SYSTEMS = 60;
const PER_SYSTEM = 500; // entitlements per system
const TEAMS = 80;
const MARKER = "bench-dashboard";

const target = resolveTarget();
if (target.kind !== "postgres") {
  console.error("bench:dashboard measures PostgreSQL: set DATABASE_URL=postgres://… (an empty database of its own).");
  process.exit(2);
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const n = (v: number) => v.toLocaleString("en");

async function step(tx: Tx, label: string, statements: string) {
  const t = performance.now();
  // One statement per round trip (the extended protocol takes one at a time).
  for (const statement of statements.split(/;\s*\n\s*(?=insert|create|update|select|alter|drop)/i)) await tx.execute(sql.raw(statement));
  console.log(`  ${label.padEnd(58)} ${secs(performance.now() - t)}`);
}

/**
 * Loads a table with its secondary indexes and foreign keys dropped, then
 * recreates them exactly as the migrations defined them (and validates the
 * keys): a bulk load, not how the product writes.
 */
async function bulkLoad(tx: Tx, table: string, load: () => Promise<void>) {
  const defs = await queryRows<{ kind: string; name: string; def: string }>(
    tx,
    sql`select 'index' as kind, i.indexname as name, i.indexdef as def from pg_indexes i
          join pg_class c on c.relname = i.indexname
          where i.schemaname = 'public' and i.tablename = ${table}
            and not exists (select 1 from pg_constraint k where k.conindid = c.oid and k.contype in ('p', 'u'))
        union all
        select 'fk', conname, pg_get_constraintdef(oid) from pg_constraint where conrelid = ${table}::regclass and contype = 'f'`,
  );
  for (const d of defs) {
    await tx.execute(sql.raw(d.kind === "fk" ? `alter table ${table} drop constraint "${d.name}"` : `drop index "${d.name}"`));
  }
  await load();
  const t = performance.now();
  for (const d of defs.filter((x) => x.kind === "index")) await tx.execute(sql.raw(d.def));
  for (const d of defs.filter((x) => x.kind === "fk")) await tx.execute(sql.raw(`alter table ${table} add constraint "${d.name}" ${d.def}`));
  console.log(`  ${`${table}: ${defs.length} indexes and keys rebuilt`.padEnd(58)} ${secs(performance.now() - t)}`);
}

async function seedBench(db: Db) {
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local work_mem = '256MB'`);
    await tx.execute(sql`set local maintenance_work_mem = '1GB'`);
    await tx.execute(sql`select setseed(0.4242)`);
    // Ids derived from a label, as random UUIDs look (version 4, RFC variant), so every table can point at any row.
    await step(
      tx,
      "helpers",
      `
      create function pg_temp.uid(text) returns uuid language sql immutable as
        $$ select overlay(overlay(md5($1) placing '4' from 13) placing '8' from 17)::uuid $$;
      create function pg_temp.h(text) returns double precision language sql immutable as
        $$ select ('x' || substr(md5($1), 1, 8))::bit(32)::bigint / 4294967296.0 $$`,
    );

    await step(
      tx,
      `${SYSTEMS} systems, ${TEAMS} teams`,
      `
      insert into systems (id, name, kind, environment, external_id, description)
      select pg_temp.uid('s' || s), '${MARKER}-' || k || '-' || s, k::system_kind, case when s % 4 = 0 then 'staging' else 'production' end,
        case when k = 'aws_account' then lpad((400000000000 + s)::text, 12, '0') else null end, 'Benchmark ' || k || ' ' || s
      from generate_series(1, ${SYSTEMS}) s,
        lateral (select (array['aws_account', 'kubernetes', 'github', 'database', 'vault', 'saas', 'idp'])[1 + s % 7] as k) x;
      insert into teams (id, name) select pg_temp.uid('t' || t), '${MARKER}-team-' || t from generate_series(1, ${TEAMS}) t`,
    );

    const first = `(array['Ada','Grace','Alan','Edsger','Barbara','Donald','Frances','Ken','Margaret','Linus','Radia','Tim','Sophie','John','Hedy','Katherine','Niklaus','Shafi','Leslie','Whitfield'])`;
    const last = `(array['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth','Allen','Thompson','Hamilton','Torvalds','Perlman','Berners','Wilson','McCarthy','Lamarr','Johnson','Wirth','Goldwasser','Lamport','Diffie','Okafor','Nakamura','Silva','Kowalski','Haddad'])`;
    await step(
      tx,
      `${n(PEOPLE)} people (managers, teams; 2% offboarded)`,
      `
      insert into identities (id, kind, name, display_name, email, system_id, team_id, title, manager_id, status, created_at, updated_at)
      select pg_temp.uid('p' || p), 'human', 'person.' || p, ${first}[1 + p % 20] || ' ' || ${last}[1 + (p / 20) % 25],
        case when p = 1 then 'admin@bench.example' when p = 2 then 'auditor@bench.example' else 'person.' || p || '@bench.example' end,
        pg_temp.uid('s' || 6), pg_temp.uid('t' || 1 + p % ${TEAMS}),
        (array['Engineer', 'Senior Engineer', 'SRE', 'Data Engineer', 'Analyst', 'Manager'])[1 + p % 6],
        case when p = 1 then null else pg_temp.uid('p' || greatest(1, p / 8)) end,
        (case when p % 50 = 7 then 'offboarded' when p % 97 = 3 then 'disabled' else 'active' end)::identity_status,
        now() - interval '3 years', case when p % 50 = 7 or p % 97 = 3 then now() - make_interval(days => (p % 120)::int) else now() - interval '3 years' end
      from generate_series(1::bigint, ${PEOPLE}) p;
      insert into role_assignments (identity_id, role) values (pg_temp.uid('p1'), 'admin'), (pg_temp.uid('p2'), 'auditor')`,
    );

    await step(
      tx,
      `${n(NHIS)} NHIs of every kind (owners, 3% without one)`,
      `
      insert into identities (id, kind, name, display_name, external_id, system_id, owner_id, backup_owner_id, purpose, status, next_attestation_at, last_attested_at, created_at, updated_at)
      select pg_temp.uid('n' || x), k::identity_kind, nm, nm,
        case when s % 7 = 0 then 'arn:aws:iam::' || lpad((400000000000 + s)::text, 12, '0') || ':role/' || nm else null end,
        pg_temp.uid('s' || s),
        case when x % 37 = 0 then null else pg_temp.uid('p' || 1 + (x * 7919) % ${PEOPLE}) end,
        pg_temp.uid('p' || 1 + (x * 104729) % ${PEOPLE}),
        'Runs ' || (array['payments', 'orders', 'search', 'billing', 'etl', 'ci', 'analytics', 'ledger'])[1 + x % 8] || ' jobs',
        (case when x % 40 = 0 then 'decommissioned' when x % 113 = 0 then 'disabled' else 'active' end)::identity_status,
        now() + make_interval(days => ((x % 240) - 60)::int), now() - make_interval(days => (30 + x % 300)::int),
        now() - make_interval(days => (30 + x % 1000)::int), case when x % 40 = 0 or x % 113 = 0 then now() - make_interval(days => (x % 120)::int) else now() - make_interval(days => (30 + x % 1000)::int) end
      from generate_series(1::bigint, ${NHIS}) x,
        lateral (select 1 + (x - 1) % ${SYSTEMS} as s,
          case when x % 100 < 35 then 'service_account' when x % 100 < 55 then 'api_key' when x % 100 < 80 then 'workload_role'
               when x % 100 < 88 then 'bot' when x % 100 < 95 then 'ai_agent' else 'certificate' end as k) a,
        lateral (select (array['svc', 'key', 'role', 'bot', 'agent', 'cert'])[1 + x % 6] || '-' || (array['payments', 'orders', 'search', 'billing', 'etl', 'ci', 'analytics', 'ledger'])[1 + x % 8] || '-' || x as nm) b`,
    );

    // Entitlement (s, k): system s, number k in it; privilege by k (70% standard, 22% privileged, 8% admin).
    await step(
      tx,
      `${n(SYSTEMS * PER_SYSTEM)} entitlements (AWS ones with IAM patterns)`,
      `
      insert into entitlements (id, system_id, name, description, privilege_level, owner_id, external_ref, permissions)
      select pg_temp.uid('e' || s || ':' || k), pg_temp.uid('s' || s),
        (array['read', 'write', 'deploy', 'operate', 'admin', 'audit', 'billing', 'support'])[1 + k % 8] || '-' || (array['payments', 'orders', 'search', 'billing', 'etl', 'ci', 'analytics', 'ledger'])[1 + (k / 8) % 8] || '-' || k,
        'Benchmark entitlement ' || k || ' of system ' || s,
        (case when k % 100 < 70 then 'standard' when k % 100 < 92 then 'privileged' else 'admin' end)::privilege_level,
        pg_temp.uid('p' || 1 + (s * 31 + k) % ${PEOPLE}),
        case when s % 7 = 0 then 'arn:aws:iam::' || lpad((400000000000 + s)::text, 12, '0') || ':policy/bench-' || k else 'ref-' || k end,
        case when s % 7 <> 0 then null
          when k % 100 >= 92 then '[{"effect":"Allow","actions":["*"],"conditional":false,"allResources":true}]'::jsonb
          else (array[
            '[{"effect":"Allow","actions":["s3:Get*","s3:List*"],"conditional":false,"allResources":true}]',
            '[{"effect":"Allow","actions":["ec2:Describe*","ec2:RunInstances"],"conditional":false,"allResources":true}]',
            '[{"effect":"Allow","actions":["dynamodb:*","kms:Decrypt"],"conditional":false,"allResources":false}]',
            '[{"effect":"Allow","actions":["lambda:InvokeFunction","sts:AssumeRole"],"conditional":false,"allResources":true}]'])[1 + k % 4]::jsonb end
      from generate_series(1, ${SYSTEMS}) s, generate_series(0, ${PER_SYSTEM - 1}) k`,
    );

    // Grants: 30% held by people, 70% by NHIs (on their own system); 78% standing, 10% JIT, 12% eligible.
    await bulkLoad(tx, "grants", () =>
      step(
        tx,
        `${n(GRANTS)} grants (standing, JIT, eligible; provenance, expiry)`,
        `
        insert into grants (id, identity_id, entitlement_id, type, provenance, provenance_ref, approved_by_id, approved_at, approval_expires_at,
          starts_at, expires_at, revoked_at, revoked_by_id, revoke_reason, created_at, updated_at)
        select pg_temp.uid('g' || g), holder, pg_temp.uid('e' || s || ':' || k), t::grant_type, prov::provenance_kind,
          case when prov = 'none' then null else prov || '-' || g end,
          case when prov in ('none', 'imported') then null else pg_temp.uid('p' || 1 + (g * 131) % ${PEOPLE}) end,
          case when prov = 'none' then null else ap end,
          case when prov = 'campaign_decision' then ap + interval '365 days' when prov = 'attestation' then ap + interval '180 days' else null end,
          st, case when t = 'jit' then st + make_interval(hours => (1 + g % 8)::int) else null end,
          rv, case when rv is null then null else pg_temp.uid('p1') end, case when rv is null then null else 'Benchmark revocation' end,
          st, coalesce(rv, st)
        from generate_series(1::bigint, ${GRANTS}) g,
          lateral (select case when g % 10 < 3 then 'p' else 'n' end as who,
            case when g % 10 < 3 then 1 + (g * 31) % ${PEOPLE} else 1 + (g * 17) % ${NHIS} end as num,
            case when (g * 2654435761) % 100 < 78 then 'standing' when (g * 2654435761) % 100 < 88 then 'jit' else 'eligible' end as t) a,
          lateral (select pg_temp.uid(who || num) as holder,
            case when who = 'n' then 1 + (num - 1) % ${SYSTEMS} else 1 + (g * 13) % ${SYSTEMS} end as s,
            case when t = 'standing' then (g * 7) % ${PER_SYSTEM} else 100 * ((g / 7) % ${PER_SYSTEM / 100}) + 70 + g % 30 end as k,
            case when t = 'jit' then (case when g % 50 = 0 then 'break_glass' else 'jit_approval' end)
                 when t = 'eligible' then 'policy'
                 else (array['campaign_decision','campaign_decision','campaign_decision','imported','imported','attestation','manual','policy','imported','campaign_decision'])[1 + (g * 40503) % 10] end as p0) b,
          lateral (select case when t = 'standing' and (g * 97) % 100 < 3 then 'none' else p0 end as prov,
            case when t = 'jit' then (case when g % 400 = 0 then now() - interval '20 minutes' else now() - make_interval(days => (g % 120)::int, hours => (g % 24)::int) end)
                 else now() - make_interval(days => (20 + g % 700)::int) end as st,
            case when t <> 'jit' and g % 100 in (42, 43) then now() - make_interval(days => (g % 60)::int) else null end as rv) c,
          -- Certifications and attestations are renewed: about one in ten has lapsed.
          lateral (select case prov when 'campaign_decision' then greatest(st, now() - make_interval(days => (g % 400)::int))
            when 'attestation' then greatest(st, now() - make_interval(days => (g % 200)::int)) else st end as ap) d`,
      ),
    );

    await step(
      tx,
      "JIT policies and the requests behind JIT grants",
      `
      insert into eligibility_policies (id, name, entitlement_id, max_duration_minutes, default_duration_minutes, approvals_required, approver_mode)
      select pg_temp.uid('pol' || e.id), 'JIT ' || e.name, e.id, 480, 60, 1, 'approvers'
      from entitlements e where e.privilege_level <> 'standard' and e.system_id in (select id from systems where name like '${MARKER}-%');
      insert into jit_requests (id, requester_id, identity_id, entitlement_id, policy_id, status, duration_minutes, justification, break_glass,
        approvals_required, approver_ids, deny_ends_request, pending_until, grant_id, starts_at, expires_at, decided_at, ended_at, created_at, updated_at)
      select pg_temp.uid('jr' || g.id), g.identity_id, g.identity_id, g.entitlement_id, pg_temp.uid('pol' || g.entitlement_id),
        (case when g.expires_at > now() then 'active' else 'expired' end)::jit_request_status,
        (extract(epoch from g.expires_at - g.starts_at) / 60)::int, 'Benchmark change ' || left(g.id::text, 8), g.provenance = 'break_glass',
        1, array[pg_temp.uid('p' || 3)], true, g.starts_at + interval '1 hour', g.id, g.starts_at, g.expires_at, g.starts_at,
        case when g.expires_at > now() then null else g.expires_at end, g.starts_at - interval '5 minutes', g.starts_at
      from grants g where g.type = 'jit'
      on conflict do nothing;
      update grants set policy_id = pg_temp.uid('pol' || entitlement_id) where type = 'eligible'`,
    );
    await recordLatestDecisions(tx);

    await step(
      tx,
      "credentials (keys, tokens, certificates; some never rotated)",
      `
      insert into credentials (identity_id, type, label, status, issued_at, last_rotated_at, expires_at, last_used_at)
      select i.id, (case i.kind when 'api_key' then 'api_token' when 'certificate' then 'certificate' else 'access_key' end)::credential_type,
        'credential ' || right(i.id::text, 6), (case when i.status = 'active' then 'active' else 'revoked' end)::credential_status,
        now() - make_interval(days => (abs(hashtext(i.id::text)::bigint) % 1000)::int),
        case when abs(hashtext(i.id::text)::bigint) % 5 = 0 then null else now() - make_interval(days => (abs(hashtext(i.id::text)::bigint) % 500)::int) end,
        case when i.kind = 'certificate' then now() + make_interval(days => ((abs(hashtext(i.id::text)::bigint) % 400) - 60)::int) else null end,
        now() - make_interval(days => (abs(hashtext(i.id::text)::bigint) % 30)::int)
      from identities i where i.kind in ('service_account', 'api_key', 'certificate')
        and i.system_id in (select id from systems where name like '${MARKER}-%')`,
    );

    await step(
      tx,
      "lifecycle events (leavers, decommissions)",
      `
      insert into lifecycle_events (identity_id, type, source, occurred_at, processed_at)
      select id, (case when kind = 'human' then 'leaver' else 'decommission' end)::lifecycle_event_type, 'benchmark', updated_at, updated_at
      from identities where status in ('offboarded', 'decommissioned')`,
    );

    // Usage: 62% of non-eligible grants are used; 15% of those last more than 90 days ago.
    // Each pair's events fall on a few days (bursts), JIT use inside the window.
    await step(
      tx,
      "used pairs",
      `
      create temp table used on commit drop as
      select row_number() over (order by g.id) as rn, g.id, g.identity_id, g.entitlement_id, e.system_id, g.type, g.starts_at, g.expires_at, g.revoked_at,
        s.kind = 'aws_account' as aws, abs(hashtext(g.id::text)::bigint) as hv
      from grants g join entitlements e on e.id = g.entitlement_id join systems s on s.id = e.system_id
      where g.type <> 'eligible' and abs(hashtext(g.id::text || 'u')::bigint) % 100 < 62`,
    );
    const [{ used }] = await queryRows<{ used: number }>(tx, sql`select count(*)::int as used from used`);
    await tx.execute(sql`create index on used (rn)`);
    await tx.execute(sql`analyze used`);
    const unapproved = Math.round(EVENTS * 0.01);
    // Month partitions (migration 0024) for every time the events below can take.
    await tx.execute(sql`select usage_events_cover(now() - interval '400 days', now())`);
    await bulkLoad(tx, "usage_events", async () => {
      await step(
        tx,
        `${n(EVENTS - unapproved)} usage events over ${n(used)} used pairs (2% refused)`,
        `
        insert into usage_events (event_id, source, identity_id, entitlement_id, system_id, action, outcome, session_id, occurred_at, received_at)
        select 'bench-' || i, case when u.aws then 'cloudtrail' else 'bench' end, u.identity_id, u.entitlement_id, u.system_id,
          case when u.aws then (array['s3:GetObject', 's3:ListBucket', 'ec2:DescribeInstances', 'dynamodb:Query', 'kms:Decrypt', 'lambda:InvokeFunction', 'sts:AssumeRole', 'iam:PassRole'])[1 + (u.hv + i % 3) % 8]
               else (array['login', 'session.command', 'query', 'kubectl exec', 'repo.push', 'secret.read'])[1 + (u.hv + i % 2) % 6] end,
          (case when i % 50 = 0 then 'denied' else 'success' end)::usage_outcome,
          case when i % 5 = 0 then 'session-' || (i / 40) else null end, t, t
        from generate_series(1::bigint, ${EVENTS - unapproved}) i,
          lateral (select 1 + floor(${used} * power(i * 0.6180339887498949::float8 - floor(i * 0.6180339887498949::float8), 1.6))::bigint as r) x
          join used u on u.rn = x.r,
          lateral (select case
            when u.type = 'jit' then u.starts_at + (u.expires_at - u.starts_at) * (i * 0.7548776662::float8 - floor(i * 0.7548776662::float8))
            when u.hv % 100 < 15 then now() - make_interval(days => (92 + u.hv % 25)::int, hours => (8 + i % 10)::int, mins => (i % 60)::int)
            else least(coalesce(u.revoked_at, 'infinity'), now()) - make_interval(days => ((u.hv + (i % 6) * 5) % 88)::int, hours => (1 + (i * 7) % 14)::int, mins => (i % 60)::int) end as t) w`,
      );
      // Use of access nobody granted: about 20 uses each of pairs that have no grant.
      const pairs = Math.max(1, Math.floor(unapproved / 20));
      await step(
        tx,
        `${n(unapproved)} usage events on ${n(pairs)} pairs with no grant behind them`,
        `
        insert into usage_events (event_id, source, identity_id, entitlement_id, system_id, action, outcome, occurred_at, received_at)
        select 'bench-x' || i, 'bench', pg_temp.uid('n' || nn), pg_temp.uid('e' || s || ':' || k), pg_temp.uid('s' || s), 'session.command', 'success', t, t
        from generate_series(1::bigint, ${unapproved}) i,
          lateral (select i % ${pairs} as pair) p,
          lateral (select 1 + (pair * 7919) % ${NHIS} as nn) a,
          lateral (select 1 + (nn - 1) % ${SYSTEMS} as s, 400 + pair % 50 as k, now() - make_interval(days => (i % 60)::int, mins => (i % 1440)::int) as t) b`,
      );
    });

    // Roll-ups: the same formulas as recordUsage's fold, over every stored event.
    await bulkLoad(tx, "usage_rollups", () =>
      step(
        tx,
        "usage_rollups from the events",
        `
        insert into usage_rollups (identity_id, entitlement_id, first_used_at, last_used_at, success_count, denied_count, last_denied_at)
        select identity_id, entitlement_id,
          min(occurred_at) filter (where outcome = 'success'), max(occurred_at) filter (where outcome = 'success'),
          (count(*) filter (where outcome = 'success'))::int, (count(*) filter (where outcome = 'denied'))::int,
          max(occurred_at) filter (where outcome = 'denied')
        from usage_events where entitlement_id is not null group by 1, 2`,
      ),
    );
    await bulkLoad(tx, "usage_daily", () =>
      step(
        tx,
        "usage_daily (hours used) from the events",
        `
        insert into usage_daily (identity_id, entitlement_id, day, success_count, denied_count, hour_mask)
        select identity_id, entitlement_id, (occurred_at at time zone 'UTC')::date,
          (count(*) filter (where outcome = 'success'))::int, (count(*) filter (where outcome = 'denied'))::int,
          coalesce(bit_or(1 << extract(hour from occurred_at at time zone 'UTC')::int) filter (where outcome = 'success'), 0)
        from usage_events where entitlement_id is not null group by 1, 2, 3`,
      ),
    );
    await bulkLoad(tx, "usage_action_daily", () =>
      step(
        tx,
        "usage_action_daily from the events",
        `
        insert into usage_action_daily (identity_id, action, day, success_count, denied_count, first_at, last_at, last_success_at)
        select identity_id, action, (occurred_at at time zone 'UTC')::date,
          (count(*) filter (where outcome = 'success'))::int, (count(*) filter (where outcome = 'denied'))::int,
          min(occurred_at), max(occurred_at), max(occurred_at) filter (where outcome = 'success')
        from usage_events group by 1, 2, 3`,
      ),
    );
    await step(
      tx,
      "identities.last_used_at from the events",
      `
      update identities i set last_used_at = u.last_used
      from (select identity_id, max(occurred_at) as last_used from usage_events where outcome = 'success' group by 1) u
      where i.id = u.identity_id`,
    );
    await step(
      tx,
      "data-event days of the AWS accounts",
      `
      insert into data_event_days (system_id, service, day)
      select distinct system_id, split_part(action, ':', 1), (occurred_at at time zone 'UTC')::date
      from usage_events where source = 'cloudtrail' and action in ('s3:GetObject', 'dynamodb:Query', 'lambda:InvokeFunction')`,
    );
    // Findings other detectors raise (PAM sessions outside a window), beside the reconciliation's own.
    await step(
      tx,
      "session findings (outside any grant window)",
      `
      insert into findings (key, kind, severity, identity_id, entitlement_id, system_id, source, title, details, first_seen_at, last_seen_at)
      select 'outside_grant_window:' || g.identity_id || ':' || g.entitlement_id || ':-:bench-' || g.id, 'outside_grant_window', 'high',
        g.identity_id, g.entitlement_id, e.system_id, 'jit.session', 'Session bench-' || left(g.id::text, 8) || ': activity outside any active grant window',
        jsonb_build_object('sessionId', 'bench-' || g.id), g.expires_at + interval '1 hour', g.expires_at + interval '1 hour'
      from grants g join entitlements e on e.id = g.entitlement_id where g.type = 'jit' and abs(hashtext(g.id::text)::bigint) % 50 = 0`,
    );
  });
  const t = performance.now();
  await db.execute(sql`analyze`);
  console.log(`  ${"analyze".padEnd(58)} ${secs(performance.now() - t)}`);
}

// ---------------------------------------------------------------------------

const results: { label: string; p50: number; p95: number }[] = [];

// BENCH_ONLY=<regexp>: measure only the queries whose label matches.
const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY, "i") : null;

async function time(label: string, fn: () => Promise<unknown>) {
  if (only && !only.test(label)) return;
  const samples = await timeRuns(RUNS, fn);
  const p50 = percentile(samples, 50);
  const p95 = percentile(samples, 95);
  results.push({ label, p50, p95 });
  console.log(`${label.padEnd(48)} p50 ${p50.toFixed(1).padStart(7)} ms   p95 ${p95.toFixed(1).padStart(7)} ms${p95 > TARGET_MS ? "   over target" : ""}`);
}

useBenchAuditKey();
const database = await openDatabase(target);
await migrate(database);
await installJobs(database);
const { db } = database;

const [state] = await queryRows<{ bench: number; identities: number }>(
  db,
  sql`select (select count(*) from systems where name like ${`${MARKER}-%`})::int as bench, (select count(*) from identities)::int as identities`,
);
if (state.bench === 0 && state.identities > 0) {
  console.error("This database holds other data: run the benchmark against an empty database of its own.");
  process.exit(2);
}
if (state.bench === 0) {
  console.log(`seeding ${n(GRANTS)} grants and ${n(EVENTS)} usage events (${n(PEOPLE)} people, ${n(NHIS)} NHIs, ${n(SYSTEMS * PER_SYSTEM)} entitlements)…`);
  const t = performance.now();
  await seedBench(db);
  console.log(`seeded in ${secs(performance.now() - t)}\n`);
} else {
  console.log("bench data already present: measuring only\n");
}

const [sizes] = await queryRows<Record<string, number>>(
  db,
  sql`select (select count(*) from identities)::int as identities, (select count(*) from grants)::int as grants,
    (select reltuples::bigint from pg_class where relname = 'usage_events') as events,
    (select count(*) from usage_rollups)::int as rollups, (select count(*) from usage_daily)::int as daily, (select count(*) from usage_action_daily)::int as "actionDaily"`,
);
console.log(
  `${n(sizes.identities)} identities, ${n(sizes.grants)} grants, ~${n(Number(sizes.events))} usage events, ${n(sizes.rollups)} pair roll-ups, ${n(sizes.daily)} daily and ${n(sizes.actionDaily)} action-daily rows`,
);

if (process.env.BENCH_RECONCILE !== "0") {
  const r = await runReconciliation(db);
  console.log(
    `runReconciliation: ${secs(r.elapsedMs)} — ${n(r.detected)} findings detected (${n(r.opened)} new, ${n(r.updated)} changed, ${n(r.resolved)} resolved), ${n(r.identities)} identities scored, ${r.snapshots} snapshots\n`,
  );
  // What autovacuum does after a pass this size: statistics, and the visibility map index-only counts rely on.
  await db.execute(sql`vacuum (analyze) findings, identity_risk, risk_snapshots`);
}

const admin = (await resolveCaller(db, (await queryRows<{ id: string }>(db, sql`select id from identities where email = 'admin@bench.example'`))[0].id))!;
const [busiest] = await queryRows<{ id: string; name: string }>(
  db,
  sql`select s.id, s.name from findings f join systems s on s.id = f.system_id where f.status = 'open' group by 1, 2 order by count(*) desc limit 1`,
);
console.log(`${RUNS} runs each after a warm-up; target p95 < ${TARGET_MS} ms\n`);
await time("riskDashboard", () => riskDashboard(db, admin));
await time("listFindings: first page", () => listFindings(db, admin, {}));
await time("listFindings: page 20", () => listFindings(db, admin, { page: 20 }));
await time("listFindings: kind=approved_unused", () => listFindings(db, admin, { kind: "approved_unused" }));
await time("listFindings: kind=used_without_approval", () => listFindings(db, admin, { kind: "used_without_approval" }));
await time("listFindings: severity=critical", () => listFindings(db, admin, { severity: "critical" }));
await time("listFindings: control=NHI5 (overprivileged NHI)", () => listFindings(db, admin, { control: "NHI5" }));
await time("listFindings: control=DE.CM-03", () => listFindings(db, admin, { control: "DE.CM-03" }));
await time("listFindings: identityKind=ai_agent", () => listFindings(db, admin, { identityKind: "ai_agent" }));
await time(`listFindings: system ${busiest?.name ?? "-"}`, () => listFindings(db, admin, { systemId: busiest?.id }));
// 'ledger' names a system, a team and thousands of NHIs: a broad search matching about one finding in six.
await time("listFindings: search 'ledger' (broad)", () => listFindings(db, admin, { q: "ledger" }));
await time("listFindings: search 'person.4242'", () => listFindings(db, admin, { q: "person.4242" }));
await time("frameworkView", () => frameworkView(db, admin));
// /api/v1/dashboard/summary: the reconciliation's snapshot, as the dashboard shows it.
await time("inventorySummary (snapshot)", () => inventorySummary(db, admin));
await time("listIdentities: first page", () => listIdentities(db, admin, {}));
await time("listIdentities: page 50, kind=service_account", () => listIdentities(db, admin, { kind: "service_account", page: 50 }));
await time("listIdentities: orphaned", () => listIdentities(db, admin, { orphaned: "true" }));

const over = results.filter((x) => x.p95 > TARGET_MS);
console.log(
  over.length
    ? `\n${over.length} of ${results.length} over the ${TARGET_MS} ms target: ${over.map((x) => x.label).join("; ")}`
    : `\nevery query under the ${TARGET_MS} ms target at p95`,
);
// Not a dashboard query once a pass has run (one runs at start-up and after every import): the summary's
// totals counted now over every grant, as before the first pass. Printed for what it costs, not in the target.
if (!only || only.test("inventoryTotals")) {
  const live = await timeRuns(Math.min(RUNS, 5), () => inventoryTotals(db, 90));
  console.log(
    `\n(outside the target) inventoryTotals counted now, before a first pass: p50 ${percentile(live, 50).toFixed(1)} ms, p95 ${percentile(live, 95).toFixed(1)} ms`,
  );
}
await database.close();
