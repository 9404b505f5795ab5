import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { auditLog, grants, identityEscalations, notifications, remediations, reviewItems, usageRollups } from "@/db/schema";
import { resolveCaller } from "@/lib/caller";
import { getIdentityDetail } from "@/lib/identities/detail";
import { makeCaller, makeGrant, makeNhi, makePerson, makeSystem, testDb } from "@/lib/testing/harness";
import { campaignFormChoices, createCampaign, getCampaign } from "./campaigns";
import { decideItems } from "./decide";
import { launchCampaign } from "./launch";
import { listMyReviews } from "./queue";

const day = 86_400_000;

/** A small organisation in a system of its own, so the campaign scope sees only it. */
async function org(db: Db) {
  const admin = await makeCaller(db, ["admin"]);
  const manager = await makeCaller(db, ["reviewer"]);
  const fallback = await makeCaller(db, ["reviewer"]);
  const engineer = await makePerson(db, { managerId: manager.identityId });
  const owner = await makeCaller(db, ["owner"]);
  const backup = await makePerson(db);
  const system = await makeSystem(db);
  const shared = await makeNhi(db, { ownerId: owner.identityId, backupOwnerId: backup.id, systemId: system.id });
  const solo = await makeNhi(db, { ownerId: owner.identityId, systemId: system.id });
  const humanGrant = await makeGrant(db, engineer.id, { systemId: system.id, level: "privileged" });
  const usedGrant = await makeGrant(db, shared.id, { systemId: system.id });
  const soloAdmin = await makeGrant(db, solo.id, { systemId: system.id, level: "admin" });
  const managerOwn = await makeGrant(db, manager.identityId, { systemId: system.id });
  await db.insert(usageRollups).values({
    identityId: shared.id,
    entitlementId: usedGrant.entitlement.id,
    firstUsedAt: new Date(Date.now() - 20 * day),
    lastUsedAt: new Date(Date.now() - day),
    successCount: 42,
  });
  const campaign = await createCampaign(db, admin, {
    name: "Quarterly access review",
    scope: { systemIds: [system.id] },
    reviewerStrategy: "owner_or_manager",
    fallbackReviewerId: fallback.identityId,
    startsAt: new Date().toISOString(),
    dueAt: new Date(Date.now() + 14 * day).toISOString(),
  });
  return { admin, manager, fallback, engineer, owner, shared, solo, system, humanGrant, usedGrant, soloAdmin, managerOwn, campaign };
}

async function itemFor(db: Db, campaignId: string, grantId: string) {
  const rows = await db.select().from(reviewItems).where(eq(reviewItems.campaignId, campaignId));
  return rows.find((r) => r.grantId === grantId)!;
}

describe("certification campaigns", () => {
  it("validates campaigns and lets only admins create and launch them", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const requester = await makeCaller(db, ["requester", "reviewer"]);
    const valid = {
      name: "Q1 access review",
      reviewerStrategy: "owner_or_manager",
      fallbackReviewerId: admin.identityId,
      startsAt: "2026-12-01",
      dueAt: "2026-12-15",
    };
    await expect(createCampaign(db, requester, valid)).rejects.toMatchObject({ status: 403 });
    await expect(campaignFormChoices(db, requester)).rejects.toMatchObject({ status: 403 });
    expect(Object.keys(await campaignFormChoices(db, admin))).toEqual(["systems", "people", "entitlements"]);
    await expect(createCampaign(db, admin, { ...valid, name: "x", dueAt: "2026-11-01", reviewerStrategy: "named", stages: 3 })).rejects.toMatchObject({
      status: 422,
      fieldErrors: { name: [expect.stringContaining("at least 3")], stages: ["A campaign has one or two stages."] },
    });
    await expect(createCampaign(db, admin, { ...valid, dueAt: "2026-11-01" })).rejects.toMatchObject({
      fieldErrors: { dueAt: ["The due date must be after the start."] },
    });
    await expect(createCampaign(db, admin, { ...valid, reviewerStrategy: "named" })).rejects.toMatchObject({
      fieldErrors: { reviewerIds: ["Name at least one reviewer."] },
    });
    const leaver = await makePerson(db, { status: "offboarded" });
    await expect(createCampaign(db, admin, { ...valid, fallbackReviewerId: leaver.id })).rejects.toMatchObject({
      fieldErrors: { fallbackReviewerId: [expect.any(String)] },
    });
    const campaign = await createCampaign(db, admin, valid);
    await expect(launchCampaign(db, requester, campaign.id)).rejects.toMatchObject({ status: 403 });
  });

  it("snapshots in-scope grants, routes to owner or manager, and keeps people off their own access", async () => {
    const db = await testDb();
    const o = await org(db);
    const { previewScope } = await import("./launch");
    expect(await previewScope(db, o.campaign.scope, 90)).toEqual({ grants: 4, identities: 4, privileged: 2, unused: 3 });
    expect(await launchCampaign(db, o.admin, o.campaign.id)).toEqual({ items: 4 });
    const told = await db.select().from(notifications).where(eq(notifications.recipientId, o.fallback.identityId));
    expect(told).toMatchObject([
      { kind: "review.assigned", title: '2 items to review in "Quarterly access review"', link: `/certifications/reviews?campaignId=${o.campaign.id}` },
    ]);
    await expect(launchCampaign(db, o.admin, o.campaign.id)).rejects.toMatchObject({ status: 409 });

    expect(await itemFor(db, o.campaign.id, o.humanGrant.grant.id)).toMatchObject({ reviewerId: o.manager.identityId, routing: "owner_or_manager" });
    expect(await itemFor(db, o.campaign.id, o.usedGrant.grant.id)).toMatchObject({
      reviewerId: o.owner.identityId,
      recommendation: "certify",
      recommendationReason: expect.stringContaining("Used 42 times"),
    });
    // The sole owner of an NHI does not alone certify its admin access.
    expect(await itemFor(db, o.campaign.id, o.soloAdmin.grant.id)).toMatchObject({
      reviewerId: o.fallback.identityId,
      routing: "fallback: sole owner of privileged access",
      recommendation: "revoke",
    });
    // The manager's own grant has no manager above them here: the fallback reviews it.
    expect(await itemFor(db, o.campaign.id, o.managerOwn.grant.id)).toMatchObject({ reviewerId: o.fallback.identityId });
  });

  it("shows each reviewer their queue with evidence, and lets nobody decide another reviewer's items", async () => {
    const db = await testDb();
    const o = await org(db);
    await launchCampaign(db, o.admin, o.campaign.id);
    const queue = await listMyReviews(db, o.owner, { campaignId: o.campaign.id });
    expect(queue.total).toBe(1);
    expect(queue.rows[0]).toMatchObject({ identityKind: "service_account", used30: 0, recommendation: "certify", provenance: "manual" });
    await expect(listMyReviews(db, o.owner, { status: "later" })).rejects.toMatchObject({ fieldErrors: { status: ["Status is pending, decided or all."] } });

    const managerItem = await itemFor(db, o.campaign.id, o.humanGrant.grant.id);
    await expect(decideItems(db, o.owner, { itemIds: [managerItem.id], decision: "certify", comment: "fine" })).rejects.toMatchObject({ status: 404 });
    await expect(decideItems(db, o.admin, { itemIds: [managerItem.id], decision: "certify", comment: "fine" })).rejects.toMatchObject({ status: 404 });
  });

  it("asks why when the grant is standard but its holder can escalate to administrator", async () => {
    const db = await testDb();
    const o = await org(db);
    await launchCampaign(db, o.admin, o.campaign.id);
    const used = await itemFor(db, o.campaign.id, o.usedGrant.grant.id);
    // The analysis's verdict on the NHI holding the standard grant.
    await db.insert(identityEscalations).values({
      identityId: o.shared.id,
      systemId: o.system.id,
      privilegeLevel: "admin",
      holdsAdmin: false,
      reachesAdmin: true,
      pathConditional: false,
      pathClass: "assume-role",
      inputsDigest: "t",
      ownLevel: "standard",
      verdictDigest: "t",
      computedAt: new Date(),
    });
    await expect(decideItems(db, o.owner, { itemIds: [used.id], decision: "certify" })).rejects.toMatchObject({
      fieldErrors: { comment: ["Say why privileged or admin access is still needed."] },
    });
    const [row] = (await listMyReviews(db, o.owner, { campaignId: o.campaign.id })).rows.filter((r) => r.id === used.id);
    expect(row).toMatchObject({ privilegeLevel: "standard", identityLevel: "admin", escalation: { reachesAdmin: true } });
    await decideItems(db, o.owner, { itemIds: [used.id], decision: "certify", comment: "Deploys payments; PassRole scoped next sprint" });
  });

  it("certifies with provenance, requires reasons, and revokes through the revocation path", async () => {
    const db = await testDb();
    const o = await org(db);
    await launchCampaign(db, o.admin, o.campaign.id);
    const human = await itemFor(db, o.campaign.id, o.humanGrant.grant.id);
    await expect(decideItems(db, o.manager, { itemIds: [human.id], decision: "certify" })).rejects.toMatchObject({
      fieldErrors: { comment: ["Say why privileged or admin access is still needed."] },
    });
    await expect(decideItems(db, o.manager, { itemIds: [human.id], decision: "revoke" })).rejects.toMatchObject({
      fieldErrors: { comment: ["Say why the access is revoked."] },
    });
    await decideItems(db, o.manager, { itemIds: [human.id], decision: "certify", comment: "On-call for payments" });
    const [certified] = await db.select().from(grants).where(eq(grants.id, o.humanGrant.grant.id));
    expect(certified).toMatchObject({ provenance: "campaign_decision", provenanceRef: human.id, approvedById: o.manager.identityId });
    await expect(decideItems(db, o.manager, { itemIds: [human.id], decision: "revoke", comment: "changed mind" })).rejects.toMatchObject({ status: 409 });

    const solo = await itemFor(db, o.campaign.id, o.soloAdmin.grant.id);
    const managerOwn = await itemFor(db, o.campaign.id, o.managerOwn.grant.id);
    await decideItems(db, o.fallback, { itemIds: [solo.id, managerOwn.id], decision: "revoke", comment: "Unused admin access" });
    const detail = await getIdentityDetail(db, o.admin, o.solo.id);
    expect(detail.grants.every((g) => !g.active)).toBe(true);
    expect(await db.select().from(remediations).where(eq(remediations.grantId, o.soloAdmin.grant.id))).toMatchObject([
      { source: "campaign", sourceRef: solo.id, status: "pending" },
    ]);
    const audit = await db.select().from(auditLog).where(eq(auditLog.entityId, solo.id));
    expect(audit.map((a) => a.action)).toEqual(["review.revoke"]);
  });

  it("revokes each item of a bulk selection on its own campaign's timing", async () => {
    const db = await testDb();
    const o = await org(db);
    await launchCampaign(db, o.admin, o.campaign.id);
    const laterSystem = await makeSystem(db);
    const later = await makeGrant(db, o.solo.id, { systemId: laterSystem.id, level: "admin" });
    const atClose = await createCampaign(db, o.admin, {
      name: "Revoked at close",
      scope: { systemIds: [laterSystem.id] },
      reviewerStrategy: "owner_or_manager",
      fallbackReviewerId: o.fallback.identityId,
      revokeAt: "close",
      startsAt: new Date().toISOString(),
      dueAt: new Date(Date.now() + 14 * day).toISOString(),
    });
    await launchCampaign(db, o.admin, atClose.id);
    const now = await itemFor(db, o.campaign.id, o.soloAdmin.grant.id);
    const deferred = await itemFor(db, atClose.id, later.grant.id);
    await decideItems(db, o.fallback, { itemIds: [deferred.id, now.id], decision: "revoke", comment: "Unused admin access" });
    const [ended] = await db.select().from(grants).where(eq(grants.id, o.soloAdmin.grant.id));
    const [kept] = await db.select().from(grants).where(eq(grants.id, later.grant.id));
    expect(ended.revokedAt).not.toBeNull();
    expect(kept.revokedAt).toBeNull();
  });

  it("reassigns to another reviewer but never to the identity under review", async () => {
    const db = await testDb();
    const o = await org(db);
    await launchCampaign(db, o.admin, o.campaign.id);
    const human = await itemFor(db, o.campaign.id, o.humanGrant.grant.id);
    await expect(decideItems(db, o.manager, { itemIds: [human.id], decision: "reassign", reassignTo: o.engineer.id })).rejects.toMatchObject({
      fieldErrors: { reassignTo: ["That person would review their own access."] },
    });
    await decideItems(db, o.manager, { itemIds: [human.id], decision: "reassign", reassignTo: o.fallback.identityId, comment: "I'm on leave" });
    expect(await itemFor(db, o.campaign.id, o.humanGrant.grant.id)).toMatchObject({ reviewerId: o.fallback.identityId, decision: null });
    const visible = await getCampaign(db, o.fallback, o.campaign.id);
    expect(visible.id).toBe(o.campaign.id);
    const outsider = (await resolveCaller(db, o.engineer.id))!;
    await expect(getCampaign(db, outsider, o.campaign.id)).rejects.toMatchObject({ status: 404 });
  });
});

describe("targeted reviews", () => {
  it("launches at once over the named grants only, routed to the reviewer", async () => {
    const db = await testDb();
    const o = await org(db);
    const { createTargetedReview } = await import("./targeted");
    const result = await db.transaction((tx) =>
      createTargetedReview(
        tx,
        { id: o.admin.identityId, label: "admin" },
        {
          name: "Mover review",
          grantIds: [o.humanGrant.grant.id, o.usedGrant.grant.id],
          reviewerId: o.manager.identityId,
          fallbackReviewerId: o.fallback.identityId,
          ownerId: o.admin.identityId,
        },
      ),
    );
    expect(result.items).toBe(2);
    const items = await db.select().from(reviewItems).where(eq(reviewItems.campaignId, result.campaignId));
    expect(items.map((i) => i.reviewerId).sort()).toEqual([o.manager.identityId, o.manager.identityId]);
    await expect(
      db.transaction((tx) =>
        createTargetedReview(
          tx,
          { id: null, label: "system" },
          { name: "Nothing", reviewerId: o.manager.identityId, fallbackReviewerId: o.fallback.identityId, ownerId: o.admin.identityId },
        ),
      ),
    ).rejects.toMatchObject({ fieldErrors: { grantIds: ["Name the identities or grants to review."] } });
  });
});
