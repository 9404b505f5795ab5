import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { auditLog, campaigns, grants, notifications, reviewItems, usageRollups } from "@/db/schema";
import type { Caller } from "@/lib/caller";
import { makeCaller, makeGrant, makeNhi, makePerson, makeSystem, testDb } from "@/lib/testing/harness";
import { createCampaign } from "./campaigns";
import { cancelCampaign, closeCampaign, signOffCampaign } from "./close";
import { decideItems } from "./decide";
import { exportEvidence } from "./export";
import { launchCampaign } from "./launch";
import { listMyReviews } from "./queue";
import { campaignProgress } from "./report";
import { launchDueRecurrences, sendDueReminders } from "./schedule";

const day = 86_400_000;

/** An owner with several NHIs in a system of its own; one grant used recently, the rest never. */
async function setup(db: Db, campaign: Record<string, unknown> = {}, grantCount = 3) {
  const admin = await makeCaller(db, ["admin"]);
  const owner = await makeCaller(db, ["owner", "reviewer"]);
  const fallback = await makeCaller(db, ["reviewer"]);
  const backup = await makePerson(db);
  const system = await makeSystem(db);
  const items: { grantId: string; nhiId: string }[] = [];
  for (let i = 0; i < grantCount; i++) {
    const nhi = await makeNhi(db, { ownerId: owner.identityId, backupOwnerId: backup.id, systemId: system.id });
    const { grant, entitlement } = await makeGrant(db, nhi.id, { systemId: system.id });
    if (i === 0)
      await db.insert(usageRollups).values({
        identityId: nhi.id,
        entitlementId: entitlement.id,
        firstUsedAt: new Date(Date.now() - 9 * day),
        lastUsedAt: new Date(Date.now() - day),
        successCount: 7,
      });
    items.push({ grantId: grant.id, nhiId: nhi.id });
  }
  const created = await createCampaign(db, admin, {
    name: "NHI owner review",
    scope: { systemIds: [system.id] },
    reviewerStrategy: "owner_or_manager",
    fallbackReviewerId: fallback.identityId,
    startsAt: new Date(Date.now() - day).toISOString(),
    dueAt: new Date(Date.now() + 6 * day).toISOString(),
    ...campaign,
  });
  await launchCampaign(db, admin, created.id);
  const itemOf = async (grantId: string, stage = 1) => {
    const [row] = await db
      .select()
      .from(reviewItems)
      .where(and(eq(reviewItems.campaignId, created.id), eq(reviewItems.grantId, grantId), eq(reviewItems.stage, stage)));
    return row;
  };
  const grantOf = async (grantId: string) => (await db.select().from(grants).where(eq(grants.id, grantId)))[0];
  return { admin, owner, fallback, system, items, campaign: created, itemOf, grantOf };
}

describe("closing a campaign", () => {
  it("keeps undecided items, carries out deferred revocations, completes once and asks the owner to sign off", async () => {
    const db = await testDb();
    const s = await setup(db, { undecidedAction: "keep", revokeAt: "close" });
    const revoked = await s.itemOf(s.items[1].grantId);
    await decideItems(db, s.owner, { itemIds: [revoked.id], decision: "revoke", comment: "Not needed any more" });
    expect((await s.grantOf(s.items[1].grantId)).revokedAt).toBeNull();

    const requester = await makeCaller(db, ["requester"]);
    await expect(closeCampaign(db, requester, s.campaign.id)).rejects.toMatchObject({ status: 403 });
    const summary = await closeCampaign(db, s.admin, s.campaign.id, { reason: "ended early" });
    expect(summary).toMatchObject({ rule: "keep", undecided: 2, kept: 2, revokedAtClose: 1, reason: "ended early" });
    expect((await s.grantOf(s.items[1].grantId)).revokedAt).not.toBeNull();
    expect((await s.grantOf(s.items[0].grantId)).revokedAt).toBeNull();
    await expect(closeCampaign(db, s.admin, s.campaign.id)).rejects.toMatchObject({ status: 409 });
    await expect(decideItems(db, s.owner, { itemIds: [(await s.itemOf(s.items[2].grantId)).id], decision: "certify" })).rejects.toMatchObject({ status: 409 });
    expect((await listMyReviews(db, s.owner, { campaignId: s.campaign.id })).total).toBe(0);

    const owned = await db.select().from(notifications).where(eq(notifications.recipientId, s.admin.identityId));
    expect(owned.map((n) => n.kind)).toContain("campaign.closed");
    const progress = await campaignProgress(db, s.admin, s.campaign.id);
    expect(progress.totals).toMatchObject({ total: 3, decided: 1, revoked: 1, keptUndecided: 2 });
  });

  it("settles undecided items as recommended: unused access revoked, used access certified by the rule", async () => {
    const db = await testDb();
    const s = await setup(db, { undecidedAction: "recommendation" });
    const summary = await closeCampaign(db, s.admin, s.campaign.id);
    expect(summary).toMatchObject({ rule: "recommendation", undecided: 3, autoCertified: 1, autoRevoked: 2, revokedAtClose: 2 });
    expect(await s.grantOf(s.items[0].grantId)).toMatchObject({ provenance: "campaign_decision", revokedAt: null, approvedById: null });
    expect((await s.grantOf(s.items[2].grantId)).revokedAt).not.toBeNull();
    expect(await s.itemOf(s.items[2].grantId)).toMatchObject({ decision: "revoke", autoDecided: "recommendation", decidedById: null });
    const audit = await db
      .select()
      .from(auditLog)
      .where(eq(auditLog.entityId, (await s.itemOf(s.items[2].grantId)).id));
    expect(audit.map((a) => a.action)).toEqual(["review.revoke"]);
  });

  it("revokes every undecided item when the rule says so", async () => {
    const db = await testDb();
    const s = await setup(db, { undecidedAction: "revoke" });
    await decideItems(db, s.owner, { itemIds: [(await s.itemOf(s.items[0].grantId)).id], decision: "certify" });
    expect(await closeCampaign(db, s.admin, s.campaign.id)).toMatchObject({ undecided: 2, autoRevoked: 2, revokedAtClose: 2 });
    expect((await s.grantOf(s.items[0].grantId)).revokedAt).toBeNull();
  });
});

describe("two-stage campaigns", () => {
  it("holds a first-stage decision until a second reviewer, never the first one, confirms or overturns it", async () => {
    const db = await testDb();
    const security = await makeCaller(db, ["reviewer"]);
    const s = await setup(db, { stages: 2, secondStageReviewerIds: [security.identityId] });
    await expect(
      createCampaign(db, s.admin, {
        name: "No second stage",
        reviewerStrategy: "owner_or_manager",
        fallbackReviewerId: s.fallback.identityId,
        startsAt: "2026-12-01",
        dueAt: "2026-12-09",
        stages: 2,
      }),
    ).rejects.toMatchObject({
      fieldErrors: { secondStageReviewerIds: ["Name who confirms decisions in the second stage."] },
    });
    const first = await s.itemOf(s.items[1].grantId);
    const other = await s.itemOf(s.items[2].grantId);
    await decideItems(db, s.owner, { itemIds: [first.id, other.id], decision: "revoke", comment: "Unused for months" });
    expect((await s.grantOf(s.items[1].grantId)).revokedAt).toBeNull();
    const second = await s.itemOf(s.items[1].grantId, 2);
    expect(second).toMatchObject({
      reviewerId: security.identityId,
      previousItemId: first.id,
      recommendation: "revoke",
      recommendationReason: expect.stringContaining("Unused for months"),
    });
    expect((await campaignProgress(db, s.admin, s.campaign.id)).totals).toMatchObject({ total: 3, decided: 0, awaitingSecondStage: 2 });

    // The owner cannot take the second stage back to themselves.
    await expect(decideItems(db, security, { itemIds: [second.id], decision: "reassign", reassignTo: s.owner.identityId })).rejects.toMatchObject({
      fieldErrors: { reassignTo: ["That person made the first-stage decision; the second stage needs someone else."] },
    });
    await decideItems(db, security, { itemIds: [second.id], decision: "revoke", comment: "Confirmed: unused" });
    expect((await s.grantOf(s.items[1].grantId)).revokedAt).not.toBeNull();
    const overturned = await s.itemOf(s.items[2].grantId, 2);
    await decideItems(db, security, { itemIds: [overturned.id], decision: "certify", comment: "Still needed by billing" });
    expect(await s.grantOf(s.items[2].grantId)).toMatchObject({ revokedAt: null, provenance: "campaign_decision", approvedById: security.identityId });
    expect((await campaignProgress(db, s.admin, s.campaign.id)).totals).toMatchObject({ decided: 2, revoked: 1, certified: 1, awaitingSecondStage: 0 });
  });

  it("sends the second stage to the fallback when the only second reviewer made the first decision", async () => {
    const db = await testDb();
    const s0 = await setup(db);
    const s = await setup(db, { stages: 2, secondStageReviewerIds: [s0.owner.identityId] });
    // Re-point the second stage at this campaign's owner-reviewer, the person deciding stage one.
    await db
      .update(campaigns)
      .set({ secondStageReviewerIds: [s.owner.identityId] })
      .where(eq(campaigns.id, s.campaign.id));
    const first = await s.itemOf(s.items[0].grantId);
    await decideItems(db, s.owner, { itemIds: [first.id], decision: "certify" });
    expect(await s.itemOf(s.items[0].grantId, 2)).toMatchObject({
      reviewerId: s.fallback.identityId,
      routing: "second stage: fallback (separation of duties)",
    });
  });
});

describe("cancelling and signing off", () => {
  it("cancels with a reason and revokes nothing more; only the owner signs off, once, after close", async () => {
    const db = await testDb();
    const s = await setup(db, { revokeAt: "close" });
    await decideItems(db, s.owner, { itemIds: [(await s.itemOf(s.items[1].grantId)).id], decision: "revoke", comment: "Not needed" });
    await expect(cancelCampaign(db, s.admin, s.campaign.id, {})).rejects.toMatchObject({ fieldErrors: { reason: [expect.any(String)] } });
    await expect(cancelCampaign(db, s.owner, s.campaign.id, { reason: "wrong scope" })).rejects.toMatchObject({ status: 403 });
    expect(await cancelCampaign(db, s.admin, s.campaign.id, { reason: "Wrong scope" })).toEqual({ status: "cancelled", openItemsClosed: 2 });
    expect((await s.grantOf(s.items[1].grantId)).revokedAt).toBeNull();
    await expect(cancelCampaign(db, s.admin, s.campaign.id, { reason: "again" })).rejects.toMatchObject({ status: 409 });
    await expect(signOffCampaign(db, s.admin, s.campaign.id)).rejects.toMatchObject({ status: 409 });

    const t = await setup(db);
    await expect(signOffCampaign(db, t.admin, t.campaign.id)).rejects.toMatchObject({ status: 409 });
    await closeCampaign(db, t.admin, t.campaign.id);
    const otherAdmin = await makeCaller(db, ["admin"]);
    await expect(signOffCampaign(db, otherAdmin, t.campaign.id)).rejects.toMatchObject({ status: 403 });
    await signOffCampaign(db, t.admin, t.campaign.id, { comment: "Reviewed the outcome" });
    await expect(signOffCampaign(db, t.admin, t.campaign.id)).rejects.toMatchObject({ status: 409 });
    const [row] = await db.select().from(campaigns).where(eq(campaigns.id, t.campaign.id));
    expect(row).toMatchObject({ signedOffById: t.admin.identityId, signOffComment: "Reviewed the outcome" });
  });
});

describe("the scheduler", () => {
  it("reminds reviewers with open items once per lead time, only the nearest when several passed", async () => {
    const db = await testDb();
    const s = await setup(db, { reminderDays: [7, 3, 1] });
    // Other tests' campaigns share this database: count this reviewer's reminders only.
    const reminders = () =>
      db
        .select()
        .from(notifications)
        .where(and(eq(notifications.recipientId, s.owner.identityId), eq(notifications.kind, "review.reminder")));
    // Due in 6 days: the 7-day reminder is due; the 3-day one is not yet.
    await sendDueReminders(db);
    await sendDueReminders(db);
    const mine = await reminders();
    expect(mine).toHaveLength(1);
    expect(mine[0].link).toBe(`/certifications/reviews?campaignId=${s.campaign.id}`);
    // Two days before the due date both the 3- and the 7-day lead times have passed: one more reminder.
    await sendDueReminders(db, new Date(Date.now() + 4.5 * day));
    await sendDueReminders(db, new Date(Date.now() + 4.5 * day));
    expect(await reminders()).toHaveLength(2);
  });

  it("launches the next instance of a recurring campaign once, when its start arrives", async () => {
    const db = await testDb();
    const s = await setup(db, { recurrence: "weekly" });
    expect((await launchDueRecurrences(db)).launched).toBe(0);
    const inAWeek = new Date(Date.now() + 6.5 * day);
    const results = await Promise.all([launchDueRecurrences(db, inAWeek), launchDueRecurrences(db, inAWeek)]);
    expect(results.reduce((n, r) => n + r.launched, 0)).toBeGreaterThanOrEqual(1);
    const next = await db.select().from(campaigns).where(eq(campaigns.previousId, s.campaign.id));
    expect(next).toHaveLength(1);
    expect(next[0]).toMatchObject({ status: "active", recurrence: "weekly" });
    expect(await db.select().from(reviewItems).where(eq(reviewItems.campaignId, next[0].id))).toHaveLength(3);
    expect((await launchDueRecurrences(db, inAWeek)).launched).toBe(0);
  });
});

describe("review evidence", () => {
  it("flags a reviewer who certifies many items in seconds", async () => {
    const db = await testDb();
    const s = await setup(db, {}, 12);
    const items = await Promise.all(s.items.map((i) => s.itemOf(i.grantId)));
    await decideItems(db, s.owner, { itemIds: items.map((i) => i.id), decision: "certify" });
    const report = await campaignProgress(db, s.admin, s.campaign.id);
    expect(report.perReviewer.find((r) => r.reviewerId === s.owner.identityId)).toMatchObject({ rubberStamp: true, certified: 12, medianSeconds: 0 });

    const t = await setup(db, {}, 12);
    const slow = await Promise.all(t.items.map((i) => t.itemOf(i.grantId)));
    const base = Date.now();
    for (const [n, item] of slow.entries()) {
      await decideItems(db, t.owner, { itemIds: [item.id], decision: "certify" });
      await db
        .update(reviewItems)
        .set({ decidedAt: new Date(base + n * 60_000) })
        .where(eq(reviewItems.id, item.id));
    }
    expect((await campaignProgress(db, t.admin, t.campaign.id)).perReviewer.find((r) => r.reviewerId === t.owner.identityId)).toMatchObject({
      rubberStamp: false,
      medianSeconds: 60,
    });
  });

  it("exports every item with its decision as CSV and JSON to admins, auditors and the owner only", async () => {
    const db = await testDb();
    const s = await setup(db);
    await decideItems(db, s.owner, { itemIds: [(await s.itemOf(s.items[1].grantId)).id], decision: "revoke", comment: 'Says "no", politely' });
    const read = async (caller: Caller, format: "csv" | "json") => new Response((await exportEvidence(db, caller, s.campaign.id, format)).body).text();
    const csv = await read(s.admin, "csv");
    const lines = csv.trim().split("\n");
    expect(lines[0]).toContain("itemId,stage,previousItemId,identity");
    expect(lines).toHaveLength(4);
    expect(csv).toContain('"Says ""no"", politely"');
    const json = JSON.parse(await read(await makeCaller(db, ["auditor"]), "json"));
    expect(json.campaign).toMatchObject({ id: s.campaign.id, name: "NHI owner review" });
    expect(json.items).toHaveLength(3);
    expect(json.items.find((i: { decision: string }) => i.decision === "revoke")).toMatchObject({
      decidedBy: expect.stringContaining("Test"),
      remediationStatus: "pending",
    });
    await expect(exportEvidence(db, s.owner, s.campaign.id, "csv")).rejects.toMatchObject({ status: 404 });
  });
});

describe("the campaign list", () => {
  it("counts grants in scope and final decisions", async () => {
    const db = await testDb();
    const security = await makeCaller(db, ["reviewer"]);
    const s = await setup(db, { stages: 2, secondStageReviewerIds: [security.identityId] });
    await decideItems(db, s.owner, { itemIds: [(await s.itemOf(s.items[0].grantId)).id], decision: "certify" });
    const { listCampaigns } = await import("./campaigns");
    const listed = (await listCampaigns(db, s.admin)).find((c) => c.id === s.campaign.id);
    expect(listed).toMatchObject({ total: 3, decided: 0 });
    await decideItems(db, security, { itemIds: [(await s.itemOf(s.items[0].grantId, 2)).id], decision: "certify" });
    expect((await listCampaigns(db, s.admin)).find((c) => c.id === s.campaign.id)).toMatchObject({ total: 3, decided: 1 });
  });
});
