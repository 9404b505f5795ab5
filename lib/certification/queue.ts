import { and, asc, count, eq, ilike, inArray, isNotNull, isNull, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Tx } from "@/db/client";
import { campaigns, credentials, entitlements, grants, identities, identityKinds, privilegeLevels, reviewItems, systems, usageDaily, usageRollups } from "@/db/schema";
import type { Caller } from "@/lib/auth/caller";
import { parseInput, withoutBlanks } from "@/lib/errors";
import { inPageOrder, likePattern, offsetOf, pageFields, paged } from "@/lib/paging";

export const queueQuery = z.object({
  status: z.enum(["pending", "decided", "all"], { message: "Status is pending, decided or all." }).default("pending"),
  campaignId: z.uuid("Campaign must be a campaign id.").optional(),
  recommendation: z.enum(["certify", "revoke"], { message: "Recommendation is certify or revoke." }).optional(),
  privilegeLevel: z.enum(privilegeLevels, { message: `Privilege level is ${privilegeLevels.join(", ")}.` }).optional(),
  kind: z.enum(identityKinds, { message: `Kind must be one of: ${identityKinds.join(", ")}.` }).optional(),
  q: z.string().trim().max(200).optional(),
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

/** "My reviews": the caller's items across active campaigns, with the evidence to decide. */
export async function listMyReviews(db: Tx, caller: Caller, raw: unknown) {
  const q = parseInput(queueQuery, withoutBlanks(raw));
  const where: (SQL | undefined)[] = [eq(reviewItems.reviewerId, caller.identityId), eq(campaigns.status, "active")];
  if (q.status === "pending") where.push(isNull(reviewItems.decision));
  if (q.status === "decided") where.push(isNotNull(reviewItems.decision));
  if (q.campaignId) where.push(eq(reviewItems.campaignId, q.campaignId));
  if (q.recommendation) where.push(eq(reviewItems.recommendation, q.recommendation));
  if (q.privilegeLevel) where.push(eq(entitlements.privilegeLevel, q.privilegeLevel));
  if (q.kind) where.push(eq(identities.kind, q.kind));
  if (q.q) {
    const like = likePattern(q.q);
    where.push(or(ilike(identities.name, like), ilike(identities.displayName, like), ilike(entitlements.name, like)));
  }
  const filter = and(...where);
  // Page ids first on the cheap columns; the evidence (usage sums, credential
  // age) is computed for the 50 rows shown, never for the rows an offset skips.
  const [pageIds, [{ n: total }]] = await Promise.all([
    db
      .select({ id: reviewItems.id })
      .from(reviewItems)
      .innerJoin(campaigns, eq(campaigns.id, reviewItems.campaignId))
      .innerJoin(identities, eq(identities.id, reviewItems.identityId))
      .innerJoin(entitlements, eq(entitlements.id, reviewItems.entitlementId))
      .where(filter)
      .orderBy(asc(campaigns.dueAt), sql`${entitlements.privilegeLevel} desc`, asc(reviewItems.id))
      .limit(q.pageSize)
      .offset(offsetOf(q)),
    db
      .select({ n: count() })
      .from(reviewItems)
      .innerJoin(campaigns, eq(campaigns.id, reviewItems.campaignId))
      .innerJoin(identities, eq(identities.id, reviewItems.identityId))
      .innerJoin(entitlements, eq(entitlements.id, reviewItems.entitlementId))
      .where(filter),
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
  return paged(inPageOrder(ids, details), total, q);
}

export type ReviewQueue = Awaited<ReturnType<typeof listMyReviews>>;
export type ReviewRow = ReviewQueue["rows"][number];
