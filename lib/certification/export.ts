import { and, asc, eq, gt, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Tx } from "@/db/client";
import { entitlements, grants, identities, remediations, reviewItems, systems } from "@/db/schema";
import { hasRole, type Caller } from "@/lib/caller";
import { NotFoundError } from "@/lib/errors";
import { streamRows, type ExportFile, type ExportFormat } from "@/lib/exports/stream";
import { getCampaign } from "./campaigns";

const reviewer = alias(identities, "reviewer");
const decider = alias(identities, "decider");
const owner = alias(identities, "owner");
const BATCH = 5000;

export const evidenceColumns = [
  "itemId",
  "stage",
  "previousItemId",
  "identity",
  "identityKind",
  "identityOwner",
  "entitlement",
  "system",
  "privilegeLevel",
  "grantId",
  "grantType",
  "reviewer",
  "routing",
  "recommendation",
  "recommendationReason",
  "decision",
  "decidedBy",
  "decidedAt",
  "comment",
  "settledByRule",
  "closedUndecided",
  "grantRevokedAt",
  "remediationStatus",
] as const;
type EvidenceRow = Record<(typeof evidenceColumns)[number], string | number | null>;

async function batch(db: Tx, campaignId: string, after: string | null): Promise<EvidenceRow[]> {
  const rows = await db
    .select({
      itemId: reviewItems.id,
      stage: reviewItems.stage,
      previousItemId: reviewItems.previousItemId,
      identity: sql<string>`case when ${identities.kind} = 'human' then ${identities.displayName} else ${identities.name} end`,
      identityKind: identities.kind,
      identityOwner: owner.displayName,
      entitlement: entitlements.name,
      system: systems.name,
      privilegeLevel: entitlements.privilegeLevel,
      grantId: grants.id,
      grantType: grants.type,
      reviewer: reviewer.displayName,
      routing: reviewItems.routing,
      recommendation: reviewItems.recommendation,
      recommendationReason: reviewItems.recommendationReason,
      decision: reviewItems.decision,
      decidedBy: sql<string | null>`case when ${reviewItems.autoDecided} is not null then 'campaign rule' else ${decider.displayName} end`,
      decidedAt: reviewItems.decidedAt,
      comment: reviewItems.comment,
      settledByRule: reviewItems.autoDecided,
      closedUndecided: reviewItems.closedAt,
      grantRevokedAt: grants.revokedAt,
      remediationStatus: sql<
        string | null
      >`(select ${remediations.status} from ${remediations} where ${remediations.sourceRef} = ${reviewItems.id}::text and ${remediations.source} = 'campaign' limit 1)`,
    })
    .from(reviewItems)
    .innerJoin(identities, eq(identities.id, reviewItems.identityId))
    .innerJoin(entitlements, eq(entitlements.id, reviewItems.entitlementId))
    .innerJoin(systems, eq(systems.id, entitlements.systemId))
    .innerJoin(grants, eq(grants.id, reviewItems.grantId))
    .innerJoin(reviewer, eq(reviewer.id, reviewItems.reviewerId))
    .leftJoin(decider, eq(decider.id, reviewItems.decidedById))
    .leftJoin(owner, eq(owner.id, identities.ownerId))
    .where(and(eq(reviewItems.campaignId, campaignId), after ? gt(reviewItems.id, after) : undefined))
    .orderBy(asc(reviewItems.id))
    .limit(BATCH);
  return rows.map((r) => ({
    ...r,
    decidedAt: r.decidedAt?.toISOString() ?? null,
    closedUndecided: r.closedUndecided?.toISOString() ?? null,
    grantRevokedAt: r.grantRevokedAt?.toISOString() ?? null,
  }));
}

/**
 * The campaign's evidence: every item with its decision, reviewer, time,
 * comment and recommendation, as CSV or JSON, streamed in batches so a
 * 100,000-item campaign never sits in memory whole. Admins, auditors and the
 * campaign's owner may export; reviewers see only their own queue.
 */
export async function exportEvidence(db: Tx, caller: Caller, id: string, format: ExportFormat): Promise<ExportFile> {
  const campaign = await getCampaign(db, caller, id);
  if (!hasRole(caller, "admin", "auditor") && campaign.ownerId !== caller.identityId) throw new NotFoundError("Campaign");
  const slug =
    campaign.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 60) || "campaign";
  return streamRows<EvidenceRow>({
    format,
    filename: `${slug}-evidence`,
    columns: evidenceColumns,
    header: {
      key: "campaign",
      value: {
        id: campaign.id,
        name: campaign.name,
        status: campaign.status,
        startsAt: campaign.startsAt,
        dueAt: campaign.dueAt,
        launchedAt: campaign.launchedAt,
        completedAt: campaign.completedAt,
        signedOffAt: campaign.signedOffAt,
        undecidedAction: campaign.undecidedAction,
        stages: campaign.stages,
        closeSummary: campaign.closeSummary,
        exportedAt: new Date(),
      },
    },
    rowsKey: "items",
    batchSize: BATCH,
    next: (after) => batch(db, id, after),
    cursorOf: (r) => r.itemId as string,
  });
}
