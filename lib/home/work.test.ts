import { describe, expect, it } from "vitest";
import { createCampaign } from "@/lib/certification/campaigns";
import { launchCampaign } from "@/lib/certification/launch";
import { createRequest } from "@/lib/jit/request";
import { asking, jitOrg } from "@/lib/jit/test-fixtures";
import { setDue } from "@/lib/attestation/test-fixtures";
import { makeCaller, makeGrant, makeNhi, makeSystem, testDb } from "@/lib/testing/harness";
import { myWork } from "./work";

const day = 86_400_000;

describe("the home page's work", () => {
  it("shows each person their own work, by role and by what reached them, agreeing with the queues", async () => {
    const db = await testDb();
    const { requester, approvers, entitlement } = await jitOrg(db);
    await createRequest(db, requester, asking(entitlement.id));

    const asker = await myWork(db, requester);
    expect(asker.access).toMatchObject({ show: true, active: [], mayRequest: 1 });
    expect(asker.access.pending.map((r) => r.entitlementName)).toEqual([entitlement.name]);
    expect(asker.approvals.show).toBe(false);
    expect(asker.reviews.show).toBe(false);

    const approver = await myWork(db, approvers[0]);
    expect(approver.approvals.total).toBe(1);
    expect(approver.approvals.rows[0]).toMatchObject({ requesterName: requester.name, justification: "Investigate the failed ledger migration" });

    // Reviews: per active campaign, overdue first.
    const admin = await makeCaller(db, ["admin"]);
    const reviewer = await makeCaller(db, ["reviewer"]);
    const system = await makeSystem(db);
    const nhi = await makeNhi(db, { systemId: system.id });
    await makeGrant(db, nhi.id, { systemId: system.id });
    await makeGrant(db, nhi.id, { systemId: system.id });
    const campaign = await createCampaign(db, admin, {
      name: "Home review",
      scope: { systemIds: [system.id] },
      reviewerStrategy: "named",
      reviewerIds: [reviewer.identityId],
      fallbackReviewerId: admin.identityId,
      startsAt: new Date().toISOString(),
      dueAt: new Date(Date.now() + 3 * day).toISOString(),
    });
    await launchCampaign(db, admin, campaign.id);
    const reviews = await myWork(db, reviewer);
    expect(reviews.reviews).toMatchObject({ show: true, open: 2, campaigns: [{ id: campaign.id, name: "Home review", open: 2 }] });

    // Owners: what is due and overdue, and orphans they back up.
    const owner = await makeCaller(db, ["owner"]);
    const overdue = await makeNhi(db, { ownerId: owner.identityId });
    await setDue(db, overdue.id, -3);
    const orphan = await makeNhi(db, { ownerId: null, backupOwnerId: owner.identityId });
    await setDue(db, orphan.id, 60);
    const owned = await myWork(db, owner);
    expect(owned.attestations).toMatchObject({ show: true, overdue: 1, orphans: 1 });
    expect(owned.attestations.rows[0].id).toBe(overdue.id);

    // Someone with no role and no work sees no sections.
    const nobody = await makeCaller(db, []);
    const none = await myWork(db, nobody);
    expect([none.reviews.show, none.approvals.show, none.attestations.show, none.access.show]).toEqual([false, false, false, false]);
  });
});
