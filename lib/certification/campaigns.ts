import { and, count, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { outer } from "@/db/rows";
import { campaigns, entitlements, identities, reviewItems } from "@/db/schema";
import { auditedTransaction, recordAudit } from "@/lib/audit/record";
import { actorOf, hasRole, readOnlyPerson, requireRole, type Caller } from "@/lib/caller";
import { NotFoundError, ValidationError, parseInput } from "@/lib/errors";
import { listActivePeople, listSystems } from "@/lib/identities/list";
import { campaignInput } from "./schemas";

/** What the new-campaign form offers to choose from: systems, entitlements and people. Admins only, as creating is. */
export async function campaignFormChoices(db: Tx, caller: Caller) {
  requireRole(caller, "admin");
  const [systems, people, entitlementList] = await Promise.all([
    listSystems(db),
    listActivePeople(db),
    db
      .select({ id: entitlements.id, name: entitlements.name, systemId: entitlements.systemId, privilegeLevel: entitlements.privilegeLevel })
      .from(entitlements)
      .orderBy(entitlements.name),
  ]);
  return { systems, people, entitlements: entitlementList };
}

/** Admins create campaigns; reviewers are checked to be active people. */
export async function createCampaign(db: Db, caller: Caller, raw: unknown) {
  requireRole(caller, "admin");
  const input = parseInput(campaignInput, raw);
  const people = [...new Set([input.fallbackReviewerId, ...input.reviewerIds, ...input.secondStageReviewerIds])];
  const active = await db
    .select({ id: identities.id, readOnly: readOnlyPerson(sql`${identities.id}`) })
    .from(identities)
    .where(and(inArray(identities.id, people), eq(identities.kind, "human"), eq(identities.status, "active")));
  const ok = new Set(active.map((p) => p.id));
  const readOnly = new Set(active.filter((p) => p.readOnly).map((p) => p.id));
  const errors: Record<string, string[]> = {};
  const check = (field: string, ids: string[], who: string) => {
    if (ids.some((r) => !ok.has(r))) errors[field] = [`${who} must be an active person.`];
    else if (ids.some((r) => readOnly.has(r))) errors[field] = [`${who} cannot hold only read-only roles (auditor): reviewers decide.`];
  };
  check("fallbackReviewerId", [input.fallbackReviewerId], "The fallback reviewer");
  check("reviewerIds", input.reviewerIds, "Every named reviewer");
  check("secondStageReviewerIds", input.secondStageReviewerIds, "Every second-stage reviewer");
  if (Object.keys(errors).length) throw new ValidationError(errors);

  return auditedTransaction(db, async (tx) => {
    const [created] = await tx
      .insert(campaigns)
      .values({ ...input, ownerId: caller.identityId, status: "draft" })
      .returning();
    await recordAudit(tx, actorOf(caller), { action: "campaign.created", entityType: "campaign", entityId: created.id, after: input });
    return created;
  });
}

/** Campaigns the caller runs or oversees (admins, auditors) or reviews in. */
export async function listCampaigns(db: Tx, caller: Caller, opts: { reviewerOnly?: boolean } = {}) {
  const overseer = hasRole(caller, "admin", "auditor") && !opts.reviewerOnly;
  // Progress counts grants: a first-stage decision awaiting confirmation is not yet decided.
  const progress = sql<number>`(select count(*) from ${reviewItems} ri where ri.campaign_id = ${outer(campaigns.id)} and ri.decision is not null
    and not exists (select 1 from ${reviewItems} nxt where nxt.previous_item_id = ri.id))`.mapWith(Number);
  const total = sql<number>`(select count(*) from ${reviewItems} ri where ri.campaign_id = ${outer(campaigns.id)} and ri.stage = 1)`.mapWith(Number);
  return db
    .select({
      id: campaigns.id,
      name: campaigns.name,
      status: campaigns.status,
      dueAt: campaigns.dueAt,
      launchedAt: campaigns.launchedAt,
      recurrence: campaigns.recurrence,
      decided: progress,
      total,
    })
    .from(campaigns)
    .where(
      overseer
        ? undefined
        : sql`exists (select 1 from ${reviewItems} where ${reviewItems.campaignId} = ${campaigns.id} and ${reviewItems.reviewerId} = ${caller.identityId})`,
    )
    .orderBy(desc(campaigns.createdAt))
    .limit(200);
}

/** One campaign, if the caller oversees it or has items in it; otherwise 404. */
export async function getCampaign(db: Tx, caller: Caller, id: string) {
  if (!z.uuid().safeParse(id).success) throw new NotFoundError("Campaign");
  const [campaign] = await db.select().from(campaigns).where(eq(campaigns.id, id));
  if (!campaign) throw new NotFoundError("Campaign");
  if (!hasRole(caller, "admin", "auditor") && campaign.ownerId !== caller.identityId) {
    const [{ n }] = await db
      .select({ n: count() })
      .from(reviewItems)
      .where(and(eq(reviewItems.campaignId, id), eq(reviewItems.reviewerId, caller.identityId)));
    if (n === 0) throw new NotFoundError("Campaign");
  }
  return campaign;
}
