import { and, count, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { outer } from "@/db/rows";
import { campaigns, entitlements, identities, reviewItems } from "@/db/schema";
import { auditedTransaction, diff, recordAudit } from "@/lib/audit/record";
import { actorOf, hasRole, readOnlyPerson, requireRole, type Caller } from "@/lib/caller";
import { ConflictError, NotFoundError, ValidationError, parseInput } from "@/lib/errors";
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

/** Reviewers must be active people who may decide (not read-only); field by field, as the form shows them. */
async function checkReviewers(db: Tx, input: z.output<typeof campaignInput>) {
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
}

/** Admins create campaigns; reviewers are checked to be active people. */
export async function createCampaign(db: Db, caller: Caller, raw: unknown) {
  requireRole(caller, "admin");
  const input = parseInput(campaignInput, raw);
  await checkReviewers(db, input);
  return auditedTransaction(db, async (tx) => {
    const [created] = await tx
      .insert(campaigns)
      .values({ ...input, ownerId: caller.identityId, status: "draft" })
      .returning();
    await recordAudit(tx, actorOf(caller), { action: "campaign.created", entityType: "campaign", entityId: created.id, after: input });
    return created;
  });
}

/** The settings a campaign is made of: what its form edits and a clone copies. */
const settingsOf = (c: typeof campaigns.$inferSelect) => ({
  name: c.name,
  description: c.description ?? undefined,
  scope: c.scope,
  reviewerStrategy: c.reviewerStrategy,
  reviewerIds: c.reviewerIds,
  fallbackReviewerId: c.fallbackReviewerId,
  stages: c.stages,
  secondStageReviewerIds: c.secondStageReviewerIds,
  startsAt: c.startsAt,
  dueAt: c.dueAt,
  recurrence: c.recurrence,
  reminderDays: c.reminderDays,
  undecidedAction: c.undecidedAction,
  revokeAt: c.revokeAt,
  unusedWindowDays: c.unusedWindowDays,
});

/**
 * A draft is edited whole, with the same rules as a new campaign; once
 * launched its items are a snapshot and its settings stay as they were.
 */
export async function updateDraftCampaign(db: Db, caller: Caller, id: string, raw: unknown) {
  requireRole(caller, "admin");
  if (!z.uuid().safeParse(id).success) throw new NotFoundError("Campaign");
  const input = parseInput(campaignInput, raw);
  await checkReviewers(db, input);
  return auditedTransaction(db, async (tx) => {
    const [current] = await tx.select().from(campaigns).where(eq(campaigns.id, id)).for("update");
    if (!current) throw new NotFoundError("Campaign");
    if (current.status !== "draft") throw new ConflictError(`Only a draft campaign can be edited; this one is ${current.status}. Clone it to start another.`);
    const [updated] = await tx
      .update(campaigns)
      .set({ ...input, description: input.description ?? null, updatedAt: new Date() })
      .where(eq(campaigns.id, id))
      .returning();
    const change = diff(settingsOf(current), input);
    await recordAudit(tx, actorOf(caller), { action: "campaign.updated", entityType: "campaign", entityId: id, before: change.before, after: change.after });
    return updated;
  });
}

/**
 * A new draft with another campaign's settings (any campaign: a draft, a
 * running one, last quarter's), starting today and lasting as long as the
 * original did. The caller owns the copy.
 */
export async function cloneCampaign(db: Db, caller: Caller, id: string) {
  requireRole(caller, "admin");
  if (!z.uuid().safeParse(id).success) throw new NotFoundError("Campaign");
  const [source] = await db.select().from(campaigns).where(eq(campaigns.id, id));
  if (!source) throw new NotFoundError("Campaign");
  const startsAt = new Date();
  const length = source.dueAt && source.startsAt ? source.dueAt.getTime() - source.startsAt.getTime() : 14 * 86_400_000;
  const settings = {
    ...settingsOf(source),
    name: `${source.name} (copy)`.slice(0, 120),
    startsAt,
    dueAt: new Date(startsAt.getTime() + Math.max(length, 86_400_000)),
  };
  return auditedTransaction(db, async (tx) => {
    const [created] = await tx
      .insert(campaigns)
      .values({ ...settings, ownerId: caller.identityId, status: "draft" })
      .returning();
    await recordAudit(tx, actorOf(caller), {
      action: "campaign.created",
      entityType: "campaign",
      entityId: created.id,
      after: { ...settings, clonedFrom: id },
    });
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
