import { subDays } from "date-fns";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { grants } from "@/db/schema";
import { makeCaller, makeGrant, makeNhi, testDb } from "@/lib/testing/harness";
import { reconcileVisibleIdentity } from "./actions";
import { identityReconciliation, lastReconciledAt } from "./identity-risk";
import { runReconciliation } from "./run";

describe("an identity's reconciliation, for its page", () => {
  it("gives the risk row to whoever sees the identity, its open findings to admins and auditors, and nothing to others", async () => {
    const db = await testDb();
    const owner = await makeCaller(db, ["owner"]);
    const auditor = await makeCaller(db, ["auditor"]);
    const outsider = await makeCaller(db, ["requester"]);
    const nhi = await makeNhi(db, { ownerId: owner.identityId });
    const unused = await makeGrant(db, nhi.id, { level: "admin" });
    await db
      .update(grants)
      .set({ startsAt: subDays(new Date(), 200), provenance: "campaign_decision" })
      .where(eq(grants.id, unused.grant.id));

    await runReconciliation(db);
    expect(await lastReconciledAt(db)).toBeInstanceOf(Date);

    const seen = await identityReconciliation(db, auditor, nhi.id);
    expect(seen.risk).toMatchObject({ privilegedGrants: 1, unusedPrivileged: 1, creepScore: 100 });
    expect(seen.findings?.byKind).toMatchObject({ approved_unused: 1 });
    expect(seen.findings?.top.map((f) => f.entitlementName)).toContain(unused.entitlement.name);

    // The owner sees the scores of what they own, not the findings list (admins and auditors read that).
    const own = await identityReconciliation(db, owner, nhi.id);
    expect(own.risk?.creepScore).toBe(100);
    expect(own.findings).toBeNull();

    await expect(identityReconciliation(db, outsider, nhi.id)).rejects.toMatchObject({ status: 404 });
  });

  it("reconciles an identity's actions for whoever sees it; to anyone else it does not exist", async () => {
    const db = await testDb();
    const owner = await makeCaller(db, ["owner"]);
    const outsider = await makeCaller(db, ["requester"]);
    const nhi = await makeNhi(db, { ownerId: owner.identityId });

    const own = await reconcileVisibleIdentity(db, owner, nhi.id, {});
    expect(own.identity.id).toBe(nhi.id);
    await expect(reconcileVisibleIdentity(db, outsider, nhi.id, {})).rejects.toMatchObject({ status: 404 });
  });
});
