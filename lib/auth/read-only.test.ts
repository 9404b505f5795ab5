import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { identities, jitRequests, reviewItems } from "@/db/schema";
import { attest } from "@/lib/attestation/attest";
import { escalateOverdueAttestations } from "@/lib/attestation/escalate";
import { attestationsOf, openRequest } from "@/lib/attestation/test-fixtures";
import { createCampaign } from "@/lib/certification/campaigns";
import { decideItems } from "@/lib/certification/decide";
import { launchCampaign } from "@/lib/certification/launch";
import { decideRequest } from "@/lib/jit/decide";
import { createRequest } from "@/lib/jit/request";
import { asking, jitOrg } from "@/lib/jit/test-fixtures";
import { setRoles } from "@/lib/auth/roles";
import { makeCaller, makeGrant, makeNhi, makePerson, makeSystem, testDb } from "@/lib/testing/harness";

const day = 86_400_000;
const campaignTerms = (fallbackReviewerId: string, systemId: string) => ({
  name: "Read-only routing",
  scope: { systemIds: [systemId] },
  reviewerStrategy: "owner_or_manager",
  fallbackReviewerId,
  startsAt: new Date().toISOString(),
  dueAt: new Date(Date.now() + 14 * day).toISOString(),
});

describe("read-only roles decide nothing", () => {
  it("routes a read-only manager's review items to the fallback, saying why, and refuses their decisions", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const fallback = await makeCaller(db, ["reviewer"]);
    const auditor = await makeCaller(db, ["auditor"]);
    const engineer = await makePerson(db, { managerId: auditor.identityId });
    const system = await makeSystem(db);
    const { grant } = await makeGrant(db, engineer.id, { systemId: system.id, level: "privileged" });

    // Nobody names a read-only person to decide.
    await expect(createCampaign(db, admin, campaignTerms(auditor.identityId, system.id))).rejects.toMatchObject({
      status: 422,
      fieldErrors: { fallbackReviewerId: [expect.stringContaining("read-only")] },
    });
    await expect(
      createCampaign(db, admin, { ...campaignTerms(fallback.identityId, system.id), reviewerStrategy: "named", reviewerIds: [auditor.identityId] }),
    ).rejects.toMatchObject({
      fieldErrors: { reviewerIds: [expect.stringContaining("read-only")] },
    });

    const campaign = await createCampaign(db, admin, campaignTerms(fallback.identityId, system.id));
    await launchCampaign(db, admin, campaign.id);
    const [item] = await db.select().from(reviewItems).where(eq(reviewItems.grantId, grant.id));
    expect(item).toMatchObject({ reviewerId: fallback.identityId, routing: "fallback: the reviewer's role is read-only" });

    // Even an item that somehow reached them cannot be decided by them, nor handed to them.
    await db.update(reviewItems).set({ reviewerId: auditor.identityId }).where(eq(reviewItems.id, item.id));
    await expect(decideItems(db, auditor, { itemIds: [item.id], decision: "certify", comment: "Looks fine to me" })).rejects.toMatchObject({ status: 403 });
    await db.update(reviewItems).set({ reviewerId: fallback.identityId }).where(eq(reviewItems.id, item.id));
    await expect(decideItems(db, fallback, { itemIds: [item.id], decision: "reassign", reassignTo: auditor.identityId })).rejects.toMatchObject({
      fieldErrors: { reassignTo: [expect.stringContaining("not read-only")] },
    });
    const [unchanged] = await db.select().from(reviewItems).where(eq(reviewItems.id, item.id));
    expect(unchanged.decision).toBeNull();

    // Someone holding a deciding role beside auditor is not read-only.
    const both = await makeCaller(db, ["auditor", "reviewer"]);
    await db.update(reviewItems).set({ reviewerId: both.identityId }).where(eq(reviewItems.id, item.id));
    await expect(decideItems(db, both, { itemIds: [item.id], decision: "certify", comment: "Still on call" })).resolves.toMatchObject({ decided: 1 });
  });

  it("keeps read-only people out of JIT approver sets and refuses their approvals", async () => {
    const db = await testDb();
    const auditor = await makeCaller(db, ["auditor"]);
    const o = await jitOrg(db, { approverMode: "named", approvalsRequired: 1 });
    // A policy naming an auditor among its approvers: they are left out of each request's approvers.
    const named = await jitOrg(db, { approverMode: "named", approverIds: [auditor.identityId], approvalsRequired: 1 });
    const request = await createRequest(db, named.requester, asking(named.entitlement.id));
    expect(request.approverIds).not.toContain(auditor.identityId);

    const pending = await createRequest(db, o.requester, asking(o.entitlement.id));
    await db
      .update(jitRequests)
      .set({ approverIds: [...pending.approverIds, auditor.identityId] })
      .where(eq(jitRequests.id, pending.id));
    await expect(decideRequest(db, auditor, pending.id, "approve", {})).rejects.toMatchObject({ status: 403 });
    const [still] = await db.select().from(jitRequests).where(eq(jitRequests.id, pending.id));
    expect(still.status).toBe("pending");
  });

  it("refuses attestation by a read-only owner and escalates past a read-only manager to the admins", async () => {
    const db = await testDb();
    const auditor = await makeCaller(db, ["auditor"]);
    const owner = await makePerson(db, { managerId: auditor.identityId });
    const nhi = await makeNhi(db, { ownerId: auditor.identityId });
    await expect(attest(db, auditor, nhi.id, { stillNeeded: true, purpose: "Nightly reconciliation export" })).rejects.toMatchObject({ status: 403 });

    const overdue = await makeNhi(db, { ownerId: owner.id });
    await db
      .update(identities)
      .set({ nextAttestationAt: new Date(Date.now() - 20 * day) })
      .where(eq(identities.id, overdue.id));
    await openRequest(db, overdue.id, { dueAt: new Date(Date.now() - 20 * day) });
    await escalateOverdueAttestations(db);
    const [row] = await attestationsOf(db, overdue.id);
    expect(row).toMatchObject({ escalationLevel: 2, escalatedToId: null });
  });
});

describe("becoming read-only", () => {
  it("hands the person's open review items to each campaign's fallback", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const fallback = await makeCaller(db, ["reviewer"]);
    const manager = await makeCaller(db, ["reviewer"]);
    const engineer = await makePerson(db, { managerId: manager.identityId });
    const system = await makeSystem(db);
    const { grant } = await makeGrant(db, engineer.id, { systemId: system.id });
    const campaign = await createCampaign(db, admin, campaignTerms(fallback.identityId, system.id));
    await launchCampaign(db, admin, campaign.id);
    const [before] = await db.select().from(reviewItems).where(eq(reviewItems.grantId, grant.id));
    expect(before.reviewerId).toBe(manager.identityId);

    await setRoles(db, admin, manager.identityId, { roles: ["auditor"] });
    const [after] = await db.select().from(reviewItems).where(eq(reviewItems.grantId, grant.id));
    expect(after).toMatchObject({ reviewerId: fallback.identityId, routing: "reassigned: the reviewer's role is now read-only" });
  });
});
