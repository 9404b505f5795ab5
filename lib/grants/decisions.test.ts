import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { grants } from "@/db/schema";
import { createCampaign } from "@/lib/certification/campaigns";
import { decideItems } from "@/lib/certification/decide";
import { launchCampaign } from "@/lib/certification/launch";
import { listMyReviews } from "@/lib/certification/queue";
import { getIdentityDetail } from "@/lib/identities/detail";
import { myEligibility } from "@/lib/jit/eligibility";
import { getPolicy } from "@/lib/jit/policies";
import { createRequest } from "@/lib/jit/request";
import { asking, jitOrg } from "@/lib/jit/test-fixtures";
import { makeCaller, testDb } from "@/lib/testing/harness";

const day = 86_400_000;

describe("grant decisions", () => {
  it("certifying an eligibility adds a decision and keeps it an eligibility the person may request", async () => {
    const db = await testDb();
    const o = await jitOrg(db);
    const reviewer = await makeCaller(db, ["reviewer"]);
    const [eligible] = await db
      .select()
      .from(grants)
      .where(and(eq(grants.identityId, o.requester.identityId), eq(grants.entitlementId, o.entitlement.id)));
    expect(eligible).toMatchObject({ type: "eligible", policyId: o.policy.id });

    const campaign = await createCampaign(db, o.admin, {
      name: "Eligibility review",
      scope: { grantIds: [eligible.id] },
      reviewerStrategy: "named",
      reviewerIds: [reviewer.identityId],
      fallbackReviewerId: o.admin.identityId,
      startsAt: new Date().toISOString(),
      dueAt: new Date(Date.now() + 14 * day).toISOString(),
    });
    await launchCampaign(db, o.admin, campaign.id);
    const queue = await listMyReviews(db, reviewer, { campaignId: campaign.id });
    expect(queue.rows).toHaveLength(1);
    await decideItems(db, reviewer, { itemIds: [queue.rows[0].id], decision: "certify", comment: "Still on call for the ledger" });

    // The grant is what it was; the decision is added to its history.
    const [after] = await db.select().from(grants).where(eq(grants.id, eligible.id));
    expect(after).toMatchObject({ type: "eligible", policyId: o.policy.id, provenance: "campaign_decision", revokedAt: null });
    const detail = await getIdentityDetail(db, o.admin, o.requester.identityId);
    const row = detail.grants.find((g) => g.grant.id === eligible.id)!;
    expect(row.decisions.map((d) => [d.kind, d.decidedById])).toEqual([
      ["policy", o.admin.identityId],
      ["campaign_decision", reviewer.identityId],
    ]);
    expect(row.decisions[1].reason).toBe("Still on call for the ledger");

    // Still requestable, still named on the policy.
    expect((await myEligibility(db, o.requester)).eligibility.map((e) => e.entitlementId)).toContain(o.entitlement.id);
    expect((await getPolicy(db, o.admin, o.policy.id)).named.map((n) => n.identityId)).toEqual([o.requester.identityId]);
    const request = await createRequest(db, o.requester, asking(o.entitlement.id));
    expect(request.status).toBe("pending");
  });
});
