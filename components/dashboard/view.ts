import type { RiskDashboard } from "@/lib/reconciliation/dashboard";
import { findingsHref } from "@/components/reconciliation/labels";

export const fmt = (n: number) => Math.round(n).toLocaleString("en");
/** 1566645 → "1.57M", 15478 → "15.5k". */
export function compact(n: number) {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(2)}M`;
  if (n >= 10_000) return `${(n / 1000).toFixed(1)}k`;
  return fmt(n);
}

/**
 * What the dashboard's sections read of a reconciliation snapshot: its
 * figures, their change over 30 days, and links to the findings behind them
 * (none for people who may not read findings).
 */
export function dashboardView(
  d: RiskDashboard & { asOf: NonNullable<RiskDashboard["asOf"]> },
  systems: { id: string; name: string }[],
  readsFindings: boolean,
) {
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

  return {
    d,
    f,
    delta,
    figure,
    unusedOf,
    unused,
    firstUsedDay,
    exposure,
    used,
    usedShare,
    total,
    humans,
    systemIds,
    reachOf,
    reachTrend,
    firstReachDay,
    findings,
    readsFindings,
  };
}

export type DashboardView = ReturnType<typeof dashboardView>;
