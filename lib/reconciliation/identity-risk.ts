import { and, count, desc, eq } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { entitlements, findings, identityRisk, riskSnapshots } from "@/db/schema";
import { hasRole, type Caller } from "@/lib/caller";
import { getVisibleIdentity } from "@/lib/identities/detail";
import { FINDING_READERS } from "./findings";

/** When the last reconciliation pass finished (the latest snapshot), or null before the first. */
export async function lastReconciledAt(db: Tx): Promise<Date | null> {
  const [row] = await db.select({ at: riskSnapshots.computedAt }).from(riskSnapshots).orderBy(desc(riskSnapshots.day)).limit(1);
  return row?.at ?? null;
}

/**
 * The reconciliation's verdict on one identity, for its page: the risk row
 * (creep score, unused privileged grants, exposure versus used hours) for
 * whoever may see the identity, and its open findings, most severe first,
 * for those who read findings. `risk` is null when the identity holds no
 * privileged access in the window (or no pass has run yet: `reconciledAt`).
 */
export async function identityReconciliation(db: Tx, caller: Caller, identityId: string) {
  await getVisibleIdentity(db, caller, identityId);
  const readsFindings = hasRole(caller, ...FINDING_READERS);
  const open = and(eq(findings.identityId, identityId), eq(findings.status, "open"));
  const [[risk], reconciledAt, top, byKind] = await Promise.all([
    db.select().from(identityRisk).where(eq(identityRisk.identityId, identityId)),
    lastReconciledAt(db),
    readsFindings
      ? db
          .select({
            id: findings.id,
            kind: findings.kind,
            severity: findings.severity,
            title: findings.title,
            entitlementName: entitlements.name,
            lastSeenAt: findings.lastSeenAt,
          })
          .from(findings)
          .leftJoin(entitlements, eq(entitlements.id, findings.entitlementId))
          .where(open)
          // The severity enum runs low → critical, so its order is the severity's rank.
          .orderBy(desc(findings.severity), desc(findings.lastSeenAt))
          .limit(6)
      : Promise.resolve([]),
    readsFindings ? db.select({ kind: findings.kind, n: count() }).from(findings).where(open).groupBy(findings.kind) : Promise.resolve([]),
  ]);
  return {
    reconciledAt,
    risk: risk ?? null,
    findings: readsFindings ? { total: byKind.reduce((n, k) => n + k.n, 0), byKind: Object.fromEntries(byKind.map((k) => [k.kind, k.n])), top } : null,
  };
}
export type IdentityReconciliation = Awaited<ReturnType<typeof identityReconciliation>>;
