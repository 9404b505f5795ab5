import { and, eq, inArray, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { findings, type FindingKind } from "@/db/schema";

export type FindingInput = {
  kind: FindingKind;
  severity: "low" | "medium" | "high" | "critical";
  identityId: string;
  entitlementId?: string | null;
  grantId?: string | null;
  systemId?: string | null;
  source: string;
  title: string;
  details?: Record<string, unknown>;
  /** Distinguishes several findings of one kind about the same ids (a session id, say). */
  discriminator?: string;
};

/** The dedupe key: one finding per kind and subject, however often a detector sees it. */
export function findingKey(f: Pick<FindingInput, "kind" | "identityId" | "entitlementId" | "grantId" | "discriminator">): string {
  return [f.kind, f.identityId, f.entitlementId ?? "-", f.grantId ?? "-", f.discriminator ?? "-"].join(":");
}

/**
 * Raises findings in the caller's transaction. One seen again updates its
 * details and last-seen time; one that was resolved opens again (the risk is
 * back); one a person accepted stays accepted.
 */
export async function raiseFindings(tx: Tx, list: FindingInput[]): Promise<void> {
  const now = new Date();
  for (let i = 0; i < list.length; i += 1000) {
    await tx
      .insert(findings)
      .values(
        list.slice(i, i + 1000).map((f) => ({
          key: findingKey(f),
          kind: f.kind,
          severity: f.severity,
          identityId: f.identityId,
          entitlementId: f.entitlementId ?? null,
          grantId: f.grantId ?? null,
          systemId: f.systemId ?? null,
          source: f.source,
          title: f.title,
          details: f.details ?? {},
          firstSeenAt: now,
          lastSeenAt: now,
        })),
      )
      .onConflictDoUpdate({
        target: findings.key,
        set: {
          severity: sql`excluded.severity`,
          title: sql`excluded.title`,
          details: sql`excluded.details`,
          lastSeenAt: sql`excluded.last_seen_at`,
          status: sql`case when ${findings.status} = 'accepted' then ${findings.status} else 'open'::finding_status end`,
          resolvedAt: sql`case when ${findings.status} = 'accepted' then ${findings.resolvedAt} else null end`,
          resolution: sql`case when ${findings.status} = 'accepted' then ${findings.resolution} else null end`,
          updatedAt: now,
        },
      });
  }
}

/**
 * Closes open findings whose cause is gone (the detector no longer sees them).
 * Accepted ones stay accepted, as reconciliation's merge keeps them: a person's
 * decision is not undone by a detector.
 */
export async function resolveFindings(tx: Tx, keys: string[], resolution: string, resolvedById: string | null = null): Promise<number> {
  if (keys.length === 0) return 0;
  const now = new Date();
  let n = 0;
  for (let i = 0; i < keys.length; i += 1000) {
    const done = await tx
      .update(findings)
      .set({ status: "resolved", resolvedAt: now, resolvedById, resolution, updatedAt: now })
      .where(and(inArray(findings.key, keys.slice(i, i + 1000)), eq(findings.status, "open")))
      .returning({ id: findings.id });
    n += done.length;
  }
  return n;
}
