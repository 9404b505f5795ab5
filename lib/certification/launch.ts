import { and, eq, inArray, isNotNull, isNull, or, sql, type SQL } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { campaigns, entitlements, grants, identities, reviewItems, usageRollups } from "@/db/schema";
import { type Actor, auditedTransaction, recordAudit } from "@/lib/audit/record";
import { actorOf, isDecider, readOnlyPerson, requireRole, type Caller } from "@/lib/caller";
import { ConflictError } from "@/lib/errors";
import { noticeDate, notify } from "@/lib/notifications/notify";
import { getCampaign } from "./campaigns";
import { campaignScope, type CampaignScope } from "./schemas";

/** Live grants a campaign reviews: standing and eligible grants of active identities. */
function scopeFilter(scope: CampaignScope): SQL {
  const where: (SQL | undefined)[] = [
    isNull(grants.revokedAt),
    inArray(grants.type, ["standing", "eligible"]),
    eq(identities.status, "active"),
    sql`(${grants.expiresAt} is null or ${grants.expiresAt} > now())`,
  ];
  if (scope.systemIds.length) where.push(inArray(entitlements.systemId, scope.systemIds));
  if (scope.entitlementIds.length) where.push(inArray(grants.entitlementId, scope.entitlementIds));
  if (scope.identityIds.length) where.push(inArray(grants.identityId, scope.identityIds));
  if (scope.grantIds.length) where.push(inArray(grants.id, scope.grantIds));
  if (scope.privilegeLevels.length) where.push(inArray(entitlements.privilegeLevel, scope.privilegeLevels));
  if (scope.onlyPrivileged) where.push(inArray(entitlements.privilegeLevel, ["privileged", "admin"]));
  if (scope.identityKinds.length) where.push(inArray(identities.kind, scope.identityKinds));
  if (scope.ownerIds.length) where.push(or(inArray(identities.ownerId, scope.ownerIds), inArray(identities.backupOwnerId, scope.ownerIds)));
  if (scope.unusedForDays) {
    where.push(sql`(${usageRollups.lastUsedAt} is null or ${usageRollups.lastUsedAt} < now() - make_interval(days => ${scope.unusedForDays}))`);
  }
  return and(...where)!;
}

/**
 * Launch snapshots every in-scope grant into a review item, in one statement,
 * routing each to its reviewer. Separation of duties: nobody reviews their own
 * access, and the sole owner of an NHI does not alone certify its privileged
 * access; those items, items with no reviewer, and items whose reviewer only
 * reads (an auditor), go to the fallback reviewer (or the campaign owner when
 * the fallback is the identity under review), with the reason on the item.
 */
export async function launchCampaign(db: Db, caller: Caller, id: string) {
  requireRole(caller, "admin");
  const campaign = await getCampaign(db, caller, id);
  if (campaign.status !== "draft") throw new ConflictError(`Only a draft campaign can be launched; this one is ${campaign.status}.`);
  return auditedTransaction(db, (tx) => launchInTransaction(tx, actorOf(caller), id));
}

/**
 * The launch itself, for callers that already decided it may happen: an
 * admin's launch, a recurring campaign's next instance, a targeted review.
 */
export async function launchInTransaction(tx: Tx, actor: Actor, id: string) {
  const [campaign] = await tx.select().from(campaigns).where(eq(campaigns.id, id)).for("update");
  if (!campaign || campaign.status !== "draft") throw new ConflictError("This campaign was launched meanwhile.");
  const scope = campaignScope.parse(campaign.scope);
  const window = campaign.unusedWindowDays;
  const named = campaign.reviewerIds;

  const active = (col: SQL) => sql`(select p.id from ${identities} p where p.id = ${col} and p.status = 'active')`;
  const strategyReviewer =
    campaign.reviewerStrategy === "entitlement_owner"
      ? active(sql`${entitlements.ownerId}`)
      : campaign.reviewerStrategy === "named"
        ? sql`(array[${sql.join(
            named.map((r) => sql`${r}::uuid`),
            sql`, `,
          )}])[1 + mod(abs(hashtext(${grants.id}::text)), ${named.length})]`
        : sql`case when ${identities.kind} = 'human' then ${active(sql`${identities.managerId}`)} else ${active(sql`${identities.ownerId}`)} end`;
  const soleOwnerOfPrivileged = sql`(${identities.kind} <> 'human' and ${identities.backupOwnerId} is null and ${entitlements.privilegeLevel} in ('privileged', 'admin'))`;
  // The fallback was checked at creation; if they have since left or become
  // read-only, the campaign's owner takes their place.
  const fallbackId = (await isDecider(tx, campaign.fallbackReviewerId)) ? campaign.fallbackReviewerId : campaign.ownerId;
  const fallback = sql`case when ${fallbackId}::uuid = ${identities.id} then ${campaign.ownerId}::uuid else ${fallbackId}::uuid end`;
  const privilegeRank = sql`case ${entitlements.privilegeLevel} when 'admin' then 2 when 'privileged' then 1 else 0 end`;
  const unused = sql`(${usageRollups.lastUsedAt} is null or ${usageRollups.lastUsedAt} < now() - make_interval(days => ${window}))`;

  // One large statement: compiling it (PostgreSQL's JIT) costs more than it saves.
  await tx.execute(sql`set local jit = off`);
  const inserted = await tx.execute(sql`
    insert into ${reviewItems} (campaign_id, grant_id, identity_id, entitlement_id, due_at, privilege_rank, reviewer_id, routing, recommendation, recommendation_reason)
    select ${id}::uuid, s.grant_id, s.identity_id, s.entitlement_id, ${campaign.dueAt?.toISOString() ?? null}::timestamptz, s.privilege_rank,
      case when s.reviewer is null or s.reviewer = s.identity_id or s.sole_owner_privileged and s.reviewer = s.owner_id or s.read_only then s.fallback else s.reviewer end,
      case when s.reviewer is null then 'fallback: no reviewer'
           when s.reviewer = s.identity_id then 'fallback: self-review'
           when s.sole_owner_privileged and s.reviewer = s.owner_id then 'fallback: sole owner of privileged access'
           when s.read_only then 'fallback: the reviewer''s role is read-only'
           else ${campaign.reviewerStrategy} end,
      s.recommendation, s.reason
    from (
      select ${grants.id} as grant_id, ${grants.identityId} as identity_id, ${grants.entitlementId} as entitlement_id, ${privilegeRank} as privilege_rank,
        ${identities.ownerId} as owner_id, ${strategyReviewer} as reviewer, ${soleOwnerOfPrivileged} as sole_owner_privileged, ${fallback} as fallback,
        case when ${unused} then 'revoke' else 'certify' end as recommendation,
        case when ${usageRollups.lastUsedAt} is null then 'Never used since usage was recorded.'
             when ${unused} then format('Not used in the last %s days (last used %s).', ${window}::int, to_char(${usageRollups.lastUsedAt}, 'YYYY-MM-DD'))
             else format('Used %s times, last on %s%s', ${usageRollups.successCount}, to_char(${usageRollups.lastUsedAt}, 'YYYY-MM-DD'),
               case when ${grants.provenance} = 'none' then '; never approved: certifying records the approval.' else ', and approved.' end)
        end as reason
      from ${grants}
      join ${identities} on ${identities.id} = ${grants.identityId}
      join ${entitlements} on ${entitlements.id} = ${grants.entitlementId}
      left join ${usageRollups} on ${usageRollups.identityId} = ${grants.identityId} and ${usageRollups.entitlementId} = ${grants.entitlementId}
      where ${scopeFilter(scope)}
      -- OFFSET 0 keeps the subquery from being inlined: the routing CASE reads
      -- s.reviewer four times, and inlined it would look the reviewer up four times a row.
      offset 0
    ) s0
    -- Read-only people (auditors) are never routed decisions; looked up once a row.
    cross join lateral (select s0.*, ${readOnlyPerson(sql`s0.reviewer`)} as read_only offset 0) s`);
  const items = Number((inserted as { count?: number; affectedRows?: number }).count ?? (inserted as { affectedRows?: number }).affectedRows ?? 0);
  // Each reviewer hears once how much is waiting for them, and by when (in the app, and by email or chat as they chose).
  const perReviewer = await tx
    .select({ reviewerId: reviewItems.reviewerId, n: sql<number>`count(*)`.mapWith(Number) })
    .from(reviewItems)
    .where(and(eq(reviewItems.campaignId, id), isNotNull(reviewItems.reviewerId)))
    .groupBy(reviewItems.reviewerId);
  for (const { reviewerId, n } of perReviewer) {
    await notify(tx, [reviewerId], {
      kind: "review.assigned",
      title: `${n} ${n === 1 ? "item" : "items"} to review in "${campaign.name}"`,
      body: campaign.dueAt ? `Due ${noticeDate(campaign.dueAt)}. Usage evidence and a recommendation come with each item.` : undefined,
      link: `/certifications/reviews?campaignId=${id}`,
    });
  }
  const now = new Date();
  await tx.update(campaigns).set({ status: "active", launchedAt: now, updatedAt: now }).where(eq(campaigns.id, id));
  await recordAudit(tx, actor, {
    action: "campaign.launched",
    entityType: "campaign",
    entityId: id,
    before: { status: "draft" },
    after: { status: "active", items },
  });
  return { items };
}

/** What launching a draft would snapshot now: grants, identities and how much of it is privileged. */
export async function previewScope(db: Tx, rawScope: unknown, unusedWindowDays: number) {
  const scope = campaignScope.parse(rawScope);
  const [row] = await db
    .select({
      grants: sql<number>`count(*)`.mapWith(Number),
      identities: sql<number>`count(distinct ${grants.identityId})`.mapWith(Number),
      privileged: sql<number>`count(*) filter (where ${entitlements.privilegeLevel} <> 'standard')`.mapWith(Number),
      unused:
        sql<number>`count(*) filter (where ${usageRollups.lastUsedAt} is null or ${usageRollups.lastUsedAt} < now() - make_interval(days => ${unusedWindowDays}))`.mapWith(
          Number,
        ),
    })
    .from(grants)
    .innerJoin(identities, eq(identities.id, grants.identityId))
    .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
    .leftJoin(usageRollups, and(eq(usageRollups.identityId, grants.identityId), eq(usageRollups.entitlementId, grants.entitlementId)))
    .where(scopeFilter(scope));
  return row;
}
