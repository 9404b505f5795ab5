import { asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { grantDecisions, grants, identities, type DecisionKind } from "@/db/schema";

/** One governance decision about a grant: what decided, who, when, why, and until when it holds. */
export type Decision = {
  kind: DecisionKind;
  ref: string | null;
  decidedById: string | null;
  decidedAt: Date;
  reason?: string | null;
  validUntil?: Date | null;
};

type NewGrant = Omit<typeof grants.$inferInsert, "provenance" | "provenanceRef" | "approvedById" | "approvedAt" | "approvalExpiresAt">;

/** The grant's copy of its latest decision ("none" without one). */
const latestOf = (d: Decision | null) =>
  d
    ? { provenance: d.kind, provenanceRef: d.ref, approvedById: d.decidedById, approvedAt: d.decidedAt, approvalExpiresAt: d.validUntil ?? null }
    : { provenance: "none" as const, provenanceRef: null, approvedById: null, approvedAt: null, approvalExpiresAt: null };

const historyRow = (grantId: string, d: Decision) => ({
  grantId,
  kind: d.kind,
  ref: d.ref,
  decidedById: d.decidedById,
  decidedAt: d.decidedAt,
  reason: d.reason ?? null,
  validUntil: d.validUntil ?? null,
});

/**
 * Makes grants, each with the decision that made it legitimate (null for a
 * grant found in a target system that nobody approved), which becomes the
 * first entry of its history. The only way a grant is created.
 */
export async function createGrants(tx: Tx, rows: { grant: NewGrant; decision: Decision | null }[]) {
  if (rows.length === 0) return [];
  const created: (typeof grants.$inferSelect)[] = [];
  for (let i = 0; i < rows.length; i += 1000) {
    const batch = rows.slice(i, i + 1000);
    const inserted = await tx
      .insert(grants)
      .values(batch.map((r) => ({ ...r.grant, ...latestOf(r.decision) })))
      .returning();
    const history = inserted.flatMap((g, j) => (batch[j].decision ? [historyRow(g.id, batch[j].decision)] : []));
    if (history.length) await tx.insert(grantDecisions).values(history);
    created.push(...inserted);
  }
  return created;
}

/**
 * Records later decisions about existing grants (a certification, an
 * attestation): each is added to the grant's history and becomes its latest
 * decision. The grant's type, policy and window never change here.
 */
export async function recordGrantDecisions(tx: Tx, decisions: (Decision & { grantId: string })[]) {
  if (decisions.length === 0) return;
  for (let i = 0; i < decisions.length; i += 1000) {
    const rows = await tx
      .insert(grantDecisions)
      .values(decisions.slice(i, i + 1000).map((d) => historyRow(d.grantId, d)))
      .returning({ id: grantDecisions.id });
    const latest = tx
      .selectDistinctOn([grantDecisions.grantId])
      .from(grantDecisions)
      .where(
        inArray(
          grantDecisions.id,
          rows.map((r) => r.id),
        ),
      )
      .orderBy(grantDecisions.grantId, desc(grantDecisions.decidedAt))
      .as("d");
    await tx
      .update(grants)
      .set({
        provenance: latest.kind,
        provenanceRef: latest.ref,
        approvedById: latest.decidedById,
        approvedAt: latest.decidedAt,
        approvalExpiresAt: latest.validUntil,
        updatedAt: sql`now()`,
      })
      .from(latest)
      .where(eq(grants.id, latest.grantId));
  }
}

/** Each grant's decisions, oldest first, with who made them. */
export async function decisionHistory(tx: Tx, grantIds: string[]) {
  if (grantIds.length === 0) return new Map<string, DecisionView[]>();
  const rows = await tx
    .select({
      grantId: grantDecisions.grantId,
      kind: grantDecisions.kind,
      ref: grantDecisions.ref,
      decidedAt: grantDecisions.decidedAt,
      decidedById: grantDecisions.decidedById,
      decidedBy: identities.displayName,
      reason: grantDecisions.reason,
      validUntil: grantDecisions.validUntil,
    })
    .from(grantDecisions)
    .leftJoin(identities, eq(identities.id, grantDecisions.decidedById))
    .where(inArray(grantDecisions.grantId, grantIds))
    .orderBy(grantDecisions.grantId, asc(grantDecisions.decidedAt), asc(grantDecisions.createdAt));
  const byGrant = new Map<string, DecisionView[]>();
  for (const { grantId, ...d } of rows) byGrant.set(grantId, [...(byGrant.get(grantId) ?? []), d]);
  return byGrant;
}

export type DecisionView = {
  kind: DecisionKind;
  ref: string | null;
  decidedAt: Date;
  decidedById: string | null;
  decidedBy: string | null;
  reason: string | null;
  validUntil: Date | null;
};
