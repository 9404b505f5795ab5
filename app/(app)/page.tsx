import Link from "next/link";
import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { INVENTORY_READERS, hasRole } from "@/lib/auth/caller";
import { inventorySummary } from "@/lib/dashboard/summary";
import { listSystems } from "@/lib/identities/list";
import { riskDashboard } from "@/lib/reconciliation/dashboard";
import { FINDING_READERS } from "@/lib/reconciliation/findings";
import { AutoRefresh } from "@/components/dashboard/auto-refresh";
import { KindChart } from "@/components/dashboard/kind-chart";
import { LinkedBarChart } from "@/components/dashboard/linked-bar-chart";
import { RiskTile } from "@/components/dashboard/risk-tile";
import { dayTick } from "@/components/dashboard/chart-theme";
import { JitActivityChart, PrivilegeTrendChart, ReachAdminTrendChart, StandingTrendChart } from "@/components/dashboard/trend-charts";
import { ReachAdminTile } from "@/components/dashboard/reach-admin";
import { findingKindLabels, findingsHref, severities, severityTone } from "@/components/reconciliation/labels";
import { RunReconciliationButton } from "@/components/reconciliation/run-button";
import { Badge } from "@/components/ui/badge";
import { Card, EmptyState } from "@/components/ui/card";
import { formatDate, formatDateTime, formatMinutes, kindLabels, relative } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";
import type { FindingKind } from "@/db/schema";

export const metadata = { title: "Dashboard" };

const fmt = (n: number) => Math.round(n).toLocaleString("en");
/** 1566645 → "1.57M", 15478 → "15.5k". */
function compact(n: number) {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(2)}M`;
  if (n >= 10_000) return `${(n / 1000).toFixed(1)}k`;
  return fmt(n);
}

function Welcome({ name, identityId }: { name: string; identityId: string }) {
  return (
    <>
      <PageHeader title={`Welcome, ${name}`} description="Your own access and the non-human identities you own." />
      <div className="grid gap-4 sm:grid-cols-2">
        <Link href={`/identities/${identityId}`} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm hover:border-brand-600">
          <div className="font-medium">My access</div>
          <div className="text-sm text-slate-600">Grants, their provenance and expiry, and recent use.</div>
        </Link>
        <Link href={`/identities?ownerId=${identityId}`} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm hover:border-brand-600">
          <div className="font-medium">Identities I own</div>
          <div className="text-sm text-slate-600">Service accounts, keys, roles, bots and agents you are accountable for.</div>
        </Link>
      </div>
    </>
  );
}

export default async function DashboardPage() {
  const caller = await requireCaller();
  if (!hasRole(caller, ...INVENTORY_READERS)) return <Welcome name={caller.name} identityId={caller.identityId} />;
  const db = await getDb();
  const admin = hasRole(caller, "admin");
  // Reviewers and approvers read the dashboard but not the findings behind it.
  const readsFindings = hasRole(caller, ...FINDING_READERS);
  // Systems name the findings-by-system links, which only finding readers get.
  const [d, systems] = await Promise.all([riskDashboard(db, caller), readsFindings ? listSystems(db) : []]);

  if (!d.asOf) {
    const s = await inventorySummary(db, caller);
    return (
      <>
        <PageHeader
          title="Risk dashboard"
          description="Approved versus used privilege, standing privilege, orphans and overdue reviews, from the reconciliation."
        />
        <AutoRefresh seconds={10} />
        <EmptyState title="No reconciliation has run yet.">
          <p>
            Reconciliation compares every grant with what was actually used. It runs at start-up and every hour; this page fills in as soon as the first pass
            finishes.
          </p>
          {admin ? (
            <div className="mt-4 flex justify-center">
              <RunReconciliationButton className="items-center" />
            </div>
          ) : (
            <p className="mt-2">If nothing appears within a few minutes, ask an administrator to run it from Reconciliation.</p>
          )}
        </EmptyState>
        <p className="mb-3 mt-6 text-sm text-slate-600">Meanwhile, straight from the inventory:</p>
        <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
          <RiskTile
            testId="tile-orphans"
            label="Orphaned NHIs"
            value={fmt(s.orphans)}
            href="/identities?orphaned=true"
            hint="Owner missing, disabled or gone"
          />
          <RiskTile
            testId="tile-standing"
            label="Standing privileged grants"
            value={fmt(s.standingPrivileged)}
            href="/identities?standing=true"
            hint="Privileged or admin access that is always on"
          />
          <RiskTile testId="tile-unapproved" label="Unapproved active grants" value={fmt(s.unapproved)} hint="No governance decision behind them" />
          <RiskTile
            testId="tile-overdue-attestations"
            label="Overdue attestations"
            value={fmt(s.overdueAttestations)}
            href="/attestations"
            hint="NHIs whose owner has not confirmed them"
          />
        </div>
        <Card title="Active identities by kind" className="mt-6">
          <KindChart data={s.byKind.map((k) => ({ label: kindLabels[k.kind] ?? k.kind, count: k.count }))} />
        </Card>
      </>
    );
  }

  const f = (k: string) => d.figures[k] ?? 0;
  // The snapshot closest to 30 days before the latest, for deltas.
  const asOfDay = new Date(d.asOf);
  const target = new Date(asOfDay.getTime() - 30 * 86_400_000).toISOString().slice(0, 10);
  const before = [...d.trend].reverse().find((t) => t.day <= target) ?? null;
  const delta = (now: number, key: string | ((t: Record<string, number>) => number)) => {
    if (!before) return null;
    const then = typeof key === "function" ? key(before) : before[key];
    return typeof then === "number" && !Number.isNaN(then) ? now - then : null;
  };
  // A snapshot figure as a tile shows it: today's value and its change over 30 days.
  const figure = (k: string) => ({ value: fmt(f(k)), delta: delta(f(k), k) });
  // A day without privilegedUsed (before 30 days of usage were on record) has no unused figure: NaN, so no delta.
  const unusedOf = (t: Record<string, number>) => (t.privilegedApproved ?? 0) - (t.privilegedUsed ?? Number.NaN);
  const unused = unusedOf(d.figures);
  const firstUsedDay = d.trend.find((t) => t.privilegedUsed !== undefined)?.day ?? null;
  const exposure = f("exposureHours");
  const used = f("usedHours");
  const usedShare = exposure > 0 ? (100 * used) / exposure : 0;
  const total = d.identitiesByKind.reduce((n, k) => n + k.count, 0);
  const humans = d.identitiesByKind.find((k) => k.key === "human")?.count ?? 0;
  const systemIds = new Map(systems.map((s) => [s.name, s.id]));
  // Who can reach administrator, people and NHIs, on the days an analysis had counted them.
  const reachOf = (t: Record<string, number>) => (t.reachAdminPeople ?? Number.NaN) + (t.reachAdminNhi ?? Number.NaN);
  const reachTrend = d.trend.map((t) => ({ day: t.day, people: t.reachAdminPeople ?? null, nhi: t.reachAdminNhi ?? null }));
  const firstReachDay = reachTrend.find((t) => t.people !== null)?.day ?? null;
  const findings = (filters: Record<string, string | undefined>) => (readsFindings ? findingsHref(filters) : undefined);

  return (
    <>
      <PageHeader
        title="Risk dashboard"
        description={`${fmt(total)} active identities, ${fmt(total - humans)} of them non-human (${humans ? Math.round((total - humans) / humans) : 0} per person).`}
        actions={
          <div className="flex items-end gap-4">
            <p className="text-right text-sm text-slate-600" data-testid="as-of">
              As of <time dateTime={new Date(d.asOf).toISOString()}>{formatDateTime(d.asOf)}</time>
              <span className="block text-xs text-slate-500">{relative(d.asOf)}; runs hourly</span>
            </p>
            {admin && <RunReconciliationButton />}
          </div>
        }
      />

      <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4" data-testid="risk-tiles">
        <RiskTile
          testId="tile-standing"
          label="Standing privileged grants"
          {...figure("standingPrivileged")}
          href="/identities?standing=true"
          hint="Privileged or admin access that is always on"
        />
        <RiskTile
          testId="tile-unused"
          label="Privileged grants unused"
          value={Number.isNaN(unused) ? "—" : fmt(unused)}
          delta={Number.isNaN(unused) ? null : delta(unused, unusedOf)}
          href={findings({ kind: "approved_unused" })}
          hint={
            Number.isNaN(unused)
              ? `of ${fmt(f("privilegedApproved"))} approved; known once 30 days of usage are on record`
              : `of ${fmt(f("privilegedApproved"))} approved; no use in 30 days`
          }
        />
        <RiskTile
          testId="tile-after-approval"
          label="Active after approval ended"
          {...figure("activeAfterApproval")}
          href={findings({ kind: "active_after_approval" })}
          hint="Grants still usable though their approval expired"
        />
        <RiskTile testId="tile-findings" label="Open findings" {...figure("openFindings")} href={findings({})} hint="By severity:">
          <div className="flex flex-wrap gap-1.5">
            {severities.map((s) => {
              const badge = (
                <Badge tone={severityTone[s]}>
                  {s} <span className="ml-1 tabular-nums">{fmt(f(`findings.severity.${s}`))}</span>
                </Badge>
              );
              return readsFindings ? (
                <Link key={s} href={findingsHref({ severity: s })} data-testid={`severity-${s}`} className="hover:opacity-80">
                  {badge}
                </Link>
              ) : (
                <span key={s} data-testid={`severity-${s}`}>
                  {badge}
                </span>
              );
            })}
          </div>
        </RiskTile>
        <RiskTile
          testId="tile-orphans"
          label="Orphaned NHIs"
          {...figure("orphans")}
          href={findings({ kind: "orphaned_nhi" }) ?? "/identities?orphaned=true"}
          hint="Owner missing, disabled or gone"
        />
        <RiskTile
          testId="tile-overdue-reviews"
          label="Overdue reviews"
          {...figure("overdueReviews")}
          href="/certifications"
          hint="Campaign items past their due date, undecided"
        />
        <RiskTile
          testId="tile-overdue-attestations"
          label="Overdue attestations"
          {...figure("overdueAttestations")}
          href={readsFindings ? "/attestations?scope=all&due=overdue" : "/attestations"}
          hint="NHIs whose owner has not confirmed them"
        />
        <RiskTile
          testId="tile-exposure"
          label="Exposure vs used hours"
          value={
            <>
              {compact(exposure)} <span className="text-base font-normal text-slate-500">h open</span>
            </>
          }
          href={findings({ kind: "approved_unused" })}
          hint={`${compact(used)} h used (${usedShare < 1 && usedShare > 0 ? "<1" : Math.round(usedShare)}%) in 90 days of privileged access`}
        >
          <div className="h-1.5 overflow-hidden rounded-full bg-slate-100" aria-hidden>
            <div className="h-full rounded-full bg-emerald-500" style={{ width: `${Math.max(usedShare, used > 0 ? 1 : 0)}%` }} />
          </div>
        </RiskTile>
      </div>

      <div className="mt-6 grid gap-6 xl:grid-cols-3" data-testid="reach-admin">
        <ReachAdminTile reach={d.reachAdmin} delta={d.reachAdmin ? delta(d.reachAdmin.total, reachOf) : null} readsFindings={readsFindings} />
        <Card title="Can reach administrator, 90 days" className="xl:col-span-2">
          {firstReachDay ? (
            <>
              <ReachAdminTrendChart data={reachTrend} />
              <p className="mt-2 text-xs text-slate-500">
                Identities that hold administrator access or can escalate to it, as the escalation analysis found them each day.
                {firstReachDay !== reachTrend[0]?.day && ` Counted from ${dayTick(firstReachDay)}, the first day an analysis was on record.`}
              </p>
            </>
          ) : (
            <p className="text-sm text-slate-600" data-testid="reach-admin-trend-empty">
              No analysis on record yet: the trend starts with the first reconciliation pass after AWS identities have been analysed.
            </p>
          )}
        </Card>
      </div>

      <div className="mt-6 grid gap-6 xl:grid-cols-3">
        <Card title="Approved vs used privilege, 90 days" className="xl:col-span-2">
          <PrivilegeTrendChart data={d.trend.map((t) => ({ day: t.day, approved: t.privilegedApproved ?? 0, used: t.privilegedUsed ?? null }))} />
          <p className="mt-2 text-xs text-slate-500">
            The gap between the lines is approved privileged access nobody used in the 30 days before that day.
            {!firstUsedDay
              ? " Use is shown once 30 days of usage are on record."
              : firstUsedDay !== d.trend[0]?.day
                ? ` Use is shown from ${dayTick(firstUsedDay)}, the first day with 30 days of usage on record before it.`
                : ""}
          </p>
        </Card>
        <Card title="Top identities by creep score">
          {d.topCreep.length === 0 ? (
            <p className="text-sm text-slate-600">No identity holds privileged access.</p>
          ) : (
            <LinkedBarChart
              testId="creep-chart"
              label="Identities with the highest share of unused privileged access"
              name="Creep score"
              max={100}
              labelWidth={170}
              data={d.topCreep.map((c) => ({
                label: c.name,
                value: c.creepScore,
                href: `/identities/${c.identityId}`,
                note: `${c.unusedPrivileged} of ${c.privilegedGrants} privileged grants unused`,
              }))}
            />
          )}
          <p className="mt-2 text-xs text-slate-500">
            Share of an identity&apos;s privileged grants unused in 90 days. {fmt(f("highCreepIdentities"))} identities score 50 or more.
          </p>
        </Card>
      </div>

      <div className="mt-6 grid gap-6 lg:grid-cols-2 xl:grid-cols-3">
        <Card title="Standing privileged grants">
          <StandingTrendChart data={d.trend.map((t) => ({ day: t.day, standing: t.standingPrivileged ?? 0, unapproved: t.unapprovedActive ?? 0 }))} />
        </Card>
        <Card title="Just-in-time activity">
          <JitActivityChart data={d.trend.map((t) => ({ day: t.day, requests: t.jitRequests ?? 0, breakGlass: t.breakGlass ?? 0 }))} />
          <p className="mt-2 text-xs text-slate-500">Last 30 days: requests, approvals, break-glass activations and the median approved window.</p>
          <dl className="mt-1 grid grid-cols-4 gap-2 text-center" data-testid="jit-30d">
            <JitFigure label="Requests" value={fmt(d.jit30d.requests)} />
            <JitFigure label="Approved" value={fmt(d.jit30d.approved)} />
            <JitFigure label="Break-glass" value={fmt(d.jit30d.breakGlass)} warn={d.jit30d.breakGlass > 0} />
            <JitFigure label="Median" value={d.jit30d.medianMinutes ? formatMinutes(Math.round(d.jit30d.medianMinutes)) : "—"} />
          </dl>
        </Card>
        <Card title="Open findings by kind" className="lg:col-span-2 xl:col-span-1">
          {d.findingsByKind.length === 0 ? (
            <p className="text-sm text-slate-600">No open findings.</p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm" data-testid="findings-by-kind">
              {d.findingsByKind.map((k) => {
                const href = findings({ kind: k.key });
                // Snapshot keys are strings: a kind from an older snapshot may have no label.
                const label = findingKindLabels[k.key as FindingKind] ?? k.key;
                return (
                  <li key={k.key} className="flex items-center justify-between gap-3 py-1.5">
                    {href ? (
                      <Link href={href} className="text-brand-700 hover:underline">
                        {label}
                      </Link>
                    ) : (
                      <span>{label}</span>
                    )}
                    <span className="font-medium tabular-nums">{fmt(k.count)}</span>
                  </li>
                );
              })}
            </ul>
          )}
        </Card>
      </div>

      <div className="mt-6 grid gap-6 lg:grid-cols-2 xl:grid-cols-3">
        <Card title="Open findings by system">
          <LinkedBarChart
            testId="findings-by-system-chart"
            label="Open findings per system"
            name="Open findings"
            labelWidth={150}
            data={d.findingsBySystem.map((s) => ({
              label: s.key === "none" ? "No system" : s.key,
              value: s.count,
              href: s.key === "none" ? undefined : findings({ systemId: systemIds.get(s.key) }),
            }))}
          />
        </Card>
        <Card title="Open findings by identity kind">
          <LinkedBarChart
            testId="findings-by-identity-kind-chart"
            label="Open findings for people and for each kind of non-human identity"
            name="Open findings"
            labelWidth={120}
            data={d.findingsByIdentityKind.map((k, i) => ({
              label: k.key === "human" ? "People" : (kindLabels[k.key] ?? k.key),
              value: k.count,
              href: findings({ identityKind: k.key }),
              colour:
                k.key === "human"
                  ? "var(--chart-2)"
                  : ["var(--chart-1)", "var(--chart-5)", "var(--chart-7)", "var(--chart-3)", "var(--chart-6)", "var(--chart-4)"][i % 6],
            }))}
          />
        </Card>
        <Card title="Active identities by kind" className="lg:col-span-2 xl:col-span-1">
          <KindChart data={d.identitiesByKind.map((k) => ({ label: kindLabels[k.key] ?? k.key, count: k.count }))} />
        </Card>
      </div>

      <Card title={`Privilege still active after its approval ended (${fmt(f("activeAfterApproval"))})`} className="mt-6">
        {d.afterApproval.length === 0 ? (
          <p className="text-sm text-slate-600">None: every active grant is inside its approval.</p>
        ) : (
          <>
            <ul className="divide-y divide-slate-100 text-sm" data-testid="after-approval">
              {d.afterApproval.map((a) => {
                const details = a.details as { approvalExpiresAt?: string; provenance?: string };
                return (
                  <li key={a.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                    <span className="flex min-w-0 items-center gap-2">
                      <Badge tone={severityTone[a.severity]}>{a.severity}</Badge>
                      <Link href={`/identities/${a.identityId}`} className="font-medium text-brand-700 hover:underline">
                        {a.identityName}
                      </Link>
                      <span className="truncate text-slate-700">{a.title}</span>
                    </span>
                    <span className="text-xs text-slate-500">
                      {details.approvalExpiresAt
                        ? `approval ended ${formatDate(details.approvalExpiresAt)} (${relative(details.approvalExpiresAt)})`
                        : "approval ended"}
                      {details.provenance && ` · ${details.provenance.replace("_", " ")}`}
                    </span>
                  </li>
                );
              })}
            </ul>
            {readsFindings && f("activeAfterApproval") > d.afterApproval.length && (
              <Link href={findingsHref({ kind: "active_after_approval" })} className="mt-2 inline-block text-sm text-brand-700 hover:underline">
                All {fmt(f("findings.kind.active_after_approval"))} findings →
              </Link>
            )}
          </>
        )}
      </Card>
    </>
  );
}

function JitFigure({ label, value, warn }: { label: string; value: string; warn?: boolean }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className={`text-sm font-semibold tabular-nums ${warn ? "text-rose-700" : ""}`}>{value}</dd>
    </div>
  );
}
