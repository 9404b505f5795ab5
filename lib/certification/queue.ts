import { and, asc, count, desc, eq, inArray, isNotNull, isNull, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Tx } from "@/db/client";
import {
  campaigns,
  credentials,
  entitlements,
  grants,
  identities,
  identityKinds,
  privilegeLevels,
  reviewItems,
  systems,
  usageDaily,
  usageRollups,
  identityPrivilegeLevel,
} from "@/db/schema";
import type { Caller } from "@/lib/caller";
import { parseInput, withoutBlanks } from "@/lib/errors";
import { escalationEvidence } from "@/lib/escalation/read";
import { inPageOrder, likePattern, offsetOf, pageFields, paged } from "@/lib/paging";
import { text } from "@/lib/validation/fields";

export const queueQuery = z.object({
  status: z.enum(["pending", "decided", "all"], { message: "Status is pending, decided or all." }).default("pending"),
  campaignId: z.uuid("Campaign must be a campaign id.").optional(),
  recommendation: z.enum(["certify", "revoke"], { message: "Recommendation is certify or revoke." }).optional(),
  privilegeLevel: z.enum(privilegeLevels, { message: `Privilege level is ${privilegeLevels.join(", ")}.` }).optional(),
  kind: z.enum(identityKinds, { message: `Kind must be one of: ${identityKinds.join(", ")}.` }).optional(),
  q: text().trim().max(200).optional(),
  ...pageFields,
});

const owner = alias(identities, "owner");
const approver = alias(identities, "approver");

const usedInLast = (days: number) =>
  sql<number>`(select coalesce(sum(${usageDaily.successCount}), 0) from ${usageDaily}
    where ${usageDaily.identityId} = ${reviewItems.identityId} and ${usageDaily.entitlementId} = ${reviewItems.entitlementId}
      and ${usageDaily.day} >= (now() - make_interval(days => ${days}))::date)`.mapWith(Number);

// Age of the oldest live secret: what a reviewer of an NHI most needs to see.
const credentialAgeDays = sql<number | null>`(select extract(day from now() - min(coalesce(${credentials.lastRotatedAt}, ${credentials.issuedAt})))::int
  from ${credentials} where ${credentials.identityId} = ${reviewItems.identityId} and ${credentials.status} = 'active')`;

const rankOf = { standard: 0, privileged: 1, admin: 2 } as const;

/**
 * "My reviews": the caller's items across campaigns, with the evidence to
 * decide. Open items are read in queue order straight from a partial index on
 * the item (due date and privilege are copied onto it at launch); filters on
 * the identity or entitlement are EXISTS probes, so the page never joins every
 * item of a large campaign.
 */
export async function listMyReviews(db: Tx, caller: Caller, raw: unknown) {
  const q = parseInput(queueQuery, withoutBlanks(raw));
  const where: (SQL | undefined)[] = [eq(reviewItems.reviewerId, caller.identityId)];
  if (q.status === "pending") where.push(isNull(reviewItems.decision), isNull(reviewItems.closedAt));
  else {
    // Decided items stay listed while their campaign is open.
    where.push(sql`exists (select 1 from ${campaigns} where ${campaigns.id} = ${reviewItems.campaignId} and ${campaigns.status} = 'active')`);
    if (q.status === "decided") where.push(isNotNull(reviewItems.decision));
  }
  if (q.campaignId) where.push(eq(reviewItems.campaignId, q.campaignId));
  if (q.recommendation) where.push(eq(reviewItems.recommendation, q.recommendation));
  if (q.privilegeLevel) where.push(eq(reviewItems.privilegeRank, rankOf[q.privilegeLevel]));
  if (q.kind) where.push(sql`exists (select 1 from ${identities} where ${identities.id} = ${reviewItems.identityId} and ${identities.kind} = ${q.kind})`);
  if (q.q) {
    const like = likePattern(q.q);
    where.push(
      or(
        sql`exists (select 1 from ${identities} where ${identities.id} = ${reviewItems.identityId} and (${identities.name} ilike ${like} or ${identities.displayName} ilike ${like}))`,
        sql`exists (select 1 from ${entitlements} where ${entitlements.id} = ${reviewItems.entitlementId} and ${entitlements.name} ilike ${like})`,
      ),
    );
  }
  const filter = and(...where);
  // Page ids first on the item's own columns; the evidence (usage sums,
  // credential age) is computed for the rows shown, never for the rows skipped.
  const [pageIds, [{ n: total }]] = await Promise.all([
    db
      .select({ id: reviewItems.id })
      .from(reviewItems)
      .where(filter)
      .orderBy(asc(reviewItems.dueAt), desc(reviewItems.privilegeRank), asc(reviewItems.id))
      .limit(q.pageSize)
      .offset(offsetOf(q)),
    db.select({ n: count() }).from(reviewItems).where(filter),
  ]);
  const ids = pageIds.map((r) => r.id);
  const details =
    ids.length === 0
      ? []
      : await db
          .select({
            id: reviewItems.id,
            campaignId: reviewItems.campaignId,
            campaignName: campaigns.name,
            dueAt: campaigns.dueAt,
            identityId: identities.id,
            identityName: sql<string>`case when ${identities.kind} = 'human' then ${identities.displayName} else ${identities.name} end`,
            identityKind: identities.kind,
            ownerName: owner.displayName,
            entitlementName: entitlements.name,
            privilegeLevel: entitlements.privilegeLevel,
            // The identity's own verdict, beside the entitlement's: what it can become, not just what this grant says.
            identityLevel: identityPrivilegeLevel(sql`${identities.id}`),
            systemName: systems.name,
            grantType: grants.type,
            provenance: grants.provenance,
            approvedByName: approver.displayName,
            approvedAt: grants.approvedAt,
            grantedSince: grants.startsAt,
            lastUsedAt: usageRollups.lastUsedAt,
            used30: usedInLast(30),
            used90: usedInLast(90),
            credentialAgeDays,
            recommendation: reviewItems.recommendation,
            recommendationReason: reviewItems.recommendationReason,
            routing: reviewItems.routing,
            decision: reviewItems.decision,
            decidedAt: reviewItems.decidedAt,
            comment: reviewItems.comment,
            stage: reviewItems.stage,
            stages: campaigns.stages,
          })
          .from(reviewItems)
          .innerJoin(campaigns, eq(campaigns.id, reviewItems.campaignId))
          .innerJoin(identities, eq(identities.id, reviewItems.identityId))
          .innerJoin(entitlements, eq(entitlements.id, reviewItems.entitlementId))
          .innerJoin(systems, eq(systems.id, entitlements.systemId))
          .innerJoin(grants, eq(grants.id, reviewItems.grantId))
          .leftJoin(owner, eq(owner.id, identities.ownerId))
          .leftJoin(approver, eq(approver.id, grants.approvedById))
          .leftJoin(usageRollups, and(eq(usageRollups.identityId, reviewItems.identityId), eq(usageRollups.entitlementId, reviewItems.entitlementId)))
          .where(inArray(reviewItems.id, ids));
  const evidence = await escalationEvidence(
    db,
    details.map((d) => d.identityId),
  );
  return paged(
    inPageOrder(
      ids,
      details.map((d) => ({ ...d, escalation: evidence.get(d.identityId) ?? null })),
    ),
    total,
    q,
  );
}

export type ReviewQueue = Awaited<ReturnType<typeof listMyReviews>>;
export type ReviewRow = ReviewQueue["rows"][number];

/** The caller's undecided items per active campaign, overdue first, then by due date: the home page's "reviews due". */
export async function myOpenReviewsByCampaign(db: Tx, caller: Caller) {
  return db
    .select({ id: campaigns.id, name: campaigns.name, dueAt: campaigns.dueAt, open: sql<number>`count(*)`.mapWith(Number) })
    .from(reviewItems)
    .innerJoin(campaigns, eq(campaigns.id, reviewItems.campaignId))
    .where(and(eq(reviewItems.reviewerId, caller.identityId), isNull(reviewItems.decision), isNull(reviewItems.closedAt), eq(campaigns.status, "active")))
    .groupBy(campaigns.id, campaigns.name, campaigns.dueAt)
    .orderBy(sql`${campaigns.dueAt} asc nulls last`, campaigns.name);
}
