import { desc, eq, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { findings, identities, identityRisk, riskSnapshots } from "@/db/schema";
import { INVENTORY_READERS, requireRole, type Caller } from "@/lib/caller";
import { TREND_DAYS } from "./snapshot";

/** Splits "prefix.key" figures of a snapshot into a sorted breakdown. */
function breakdown(figures: Record<string, number>, prefix: string) {
  return Object.entries(figures)
    .filter(([k]) => k.startsWith(`${prefix}.`))
    .map(([k, n]) => ({ key: k.slice(prefix.length + 1), count: n }))
    .sort((a, b) => b.count - a.count);
}

/**
 * Who can reach administrator access, from the snapshot: null when no
 * escalation analysis had anything to analyse (never a zero nobody checked).
 * By kind, people first, then the NHI kinds with the most.
 */
function reachAdminOf(figures: Record<string, number>) {
  const analysed = figures["escalation.analysed"] ?? 0;
  if (!analysed) return null;
  const holds = new Map(breakdown(figures, "reachAdmin.holds").map((b) => [b.key, b.count]));
  const escalates = new Map(breakdown(figures, "reachAdmin.escalates").map((b) => [b.key, b.count]));
  const byKind = [...new Set([...holds.keys(), ...escalates.keys()])]
    .map((kind) => ({ kind, holds: holds.get(kind) ?? 0, escalates: escalates.get(kind) ?? 0, total: (holds.get(kind) ?? 0) + (escalates.get(kind) ?? 0) }))
    .sort((a, b) => Number(b.kind === "human") - Number(a.kind === "human") || b.total - a.total || a.kind.localeCompare(b.kind));
  const sum = (k: "holds" | "escalates" | "total") => byKind.reduce((n, r) => n + r[k], 0);
  return {
    analysed,
    total: sum("total"),
    holds: sum("holds"),
    escalates: sum("escalates"),
    conditional: figures.reachAdminConditional ?? 0,
    people: figures.reachAdminPeople ?? 0,
    nhi: figures.reachAdminNhi ?? 0,
    byKind,
  };
}

/**
 * The CISO's risk dashboard: today's figures and 90 days of trends from the
 * daily snapshots, the identities with the most unused privilege, and the
 * worst privilege still active after its approval ended. Read-only; every
 * number is the reconciliation's, so it agrees with findings and identity pages.
 */
export async function riskDashboard(db: Tx, caller: Caller) {
  requireRole(caller, ...INVENTORY_READERS);
  const [snapshots, topCreep, afterApproval] = await Promise.all([
    db
      .select()
      .from(riskSnapshots)
      .orderBy(desc(riskSnapshots.day))
      .limit(TREND_DAYS + 1),
    db
      .select({
        identityId: identityRisk.identityId,
        name: sql<string>`case when ${identities.kind} = 'human' then ${identities.displayName} else ${identities.name} end`,
        kind: identities.kind,
        creepScore: identityRisk.creepScore,
        privilegedGrants: identityRisk.privilegedGrants,
        unusedPrivileged: identityRisk.unusedPrivileged,
        exposureHours: identityRisk.exposureHours,
        usedHours: identityRisk.usedHours,
      })
      .from(identityRisk)
      .innerJoin(identities, eq(identities.id, identityRisk.identityId))
      .orderBy(desc(identityRisk.creepScore), desc(identityRisk.unusedPrivileged), identities.name)
      .limit(10),
    db
      .select({
        id: findings.id,
        title: findings.title,
        severity: findings.severity,
        identityId: findings.identityId,
        identityName: identities.name,
        details: findings.details,
        lastSeenAt: findings.lastSeenAt,
      })
      .from(findings)
      .innerJoin(identities, eq(identities.id, findings.identityId))
      .where(sql`${findings.status} = 'open' and ${findings.kind} = 'active_after_approval'`)
      // The severity enum runs low → critical: its order is the severity's rank (and the index's).
      .orderBy(desc(findings.severity), desc(findings.lastSeenAt))
      .limit(8),
  ]);
  const latest = snapshots[0] ?? null;
  const figures = latest?.figures ?? {};
  const trend: ({ day: string } & Record<string, number>)[] = [...snapshots]
    .reverse()
    .map((s) => ({ ...s.figures, day: s.day }) as { day: string } & Record<string, number>);
  const last30 = trend.slice(-30);
  const medians = last30
    .map((t) => t.jitMedianMinutes)
    .filter((m): m is number => typeof m === "number" && m > 0)
    .sort((a, b) => a - b);
  return {
    asOf: latest?.computedAt ?? null,
    figures,
    trend,
    topCreep,
    afterApproval,
    findingsByKind: breakdown(figures, "findings.kind"),
    findingsBySeverity: breakdown(figures, "findings.severity"),
    findingsBySystem: breakdown(figures, "findings.system"),
    findingsByIdentityKind: breakdown(figures, "findings.identityKind"),
    identitiesByKind: breakdown(figures, "identities.kind"),
    reachAdmin: reachAdminOf(figures),
    jit30d: {
      requests: last30.reduce((n, t) => n + (t.jitRequests ?? 0), 0),
      approved: last30.reduce((n, t) => n + (t.jitApproved ?? 0), 0),
      breakGlass: last30.reduce((n, t) => n + (t.breakGlass ?? 0), 0),
      medianMinutes: medians.length ? medians[Math.floor(medians.length / 2)] : null,
    },
  };
}
export type RiskDashboard = Awaited<ReturnType<typeof riskDashboard>>;
