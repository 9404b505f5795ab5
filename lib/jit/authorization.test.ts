import { describe, expect, it } from "vitest";
import { authenticateToken, callerForToken, issueToken, revokeToken } from "@/lib/auth/tokens";
import { makeCaller, makeEntitlement, makeNhi, testDb } from "@/lib/testing/harness";
import { listActiveElevations } from "./active";
import { decideRequest, reviewBreakGlass } from "./decide";
import { getRequest } from "./detail";
import { myEligibility } from "./eligibility";
import { cancelRequest, releaseRequest, revokeRequest } from "./end";
import { listRequests } from "./list";
import { addEligibleIdentities, archivePolicy, createPolicy, updatePolicy } from "./policies";
import { createRequest } from "./request";
import { asking, jitOrg } from "./test-fixtures";

async function tokenCaller(db: Awaited<ReturnType<typeof testDb>>, token: string) {
  const principal = await authenticateToken(db, token);
  return principal && callerForToken(db, principal);
}

describe("who may do what with just-in-time elevation", () => {
  it("nobody approves their own request; non-approvers and outsiders cannot decide, see or end it", async () => {
    const db = await testDb();
    const { admin, approvers, requester, outsider, entitlement } = await jitOrg(db);
    const r = await createRequest(db, requester, asking(entitlement.id));

    await expect(decideRequest(db, requester, r.id, "approve", {})).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining("Nobody approves their own request"),
    });
    await expect(decideRequest(db, outsider, r.id, "approve", {})).rejects.toMatchObject({ status: 404 });
    const otherApprover = await makeCaller(db, ["approver"]);
    await expect(decideRequest(db, otherApprover, r.id, "approve", {})).rejects.toMatchObject({
      status: 403,
      message: "You are not among the approvers of this request.",
    });
    await expect(getRequest(db, outsider, r.id)).rejects.toMatchObject({ status: 404 });
    await expect(getRequest(db, outsider, "not-an-id")).rejects.toMatchObject({ status: 404 });
    expect((await listRequests(db, outsider, { scope: "all" })).rows.map((x) => x.id)).not.toContain(r.id);
    await expect(cancelRequest(db, approvers[0], r.id)).rejects.toMatchObject({ status: 403 });
    await expect(revokeRequest(db, requester, r.id, { reason: "Not mine to revoke" })).rejects.toMatchObject({ status: 403 });

    // The requester, their approvers and overseers see it.
    expect((await getRequest(db, requester, r.id)).can).toMatchObject({ decide: false, cancel: true, release: false });
    expect((await getRequest(db, approvers[0], r.id)).can).toMatchObject({ decide: true, cancel: false });
    expect((await getRequest(db, admin, r.id)).can.decide).toBe(false);

    await decideRequest(db, approvers[0], r.id, "approve", {});
    await expect(releaseRequest(db, approvers[0], r.id, {})).rejects.toMatchObject({ status: 403 });
    await expect(revokeRequest(db, approvers[1], r.id, {})).rejects.toMatchObject({
      status: 422,
      fieldErrors: { reason: ["Say why the elevation is revoked."] },
    });
    expect(await revokeRequest(db, approvers[1], r.id, { reason: "Incident closed" })).toMatchObject({ status: "revoked", endReason: "Incident closed" });
  });

  it("a person with the approver role who asks is not among their own approvers", async () => {
    const db = await testDb();
    const { admin, approvers, entitlement, policy } = await jitOrg(db);
    await addEligibleIdentities(db, admin, policy.id, { identityIds: [approvers[0].identityId] });
    const r = await createRequest(db, approvers[0], asking(entitlement.id));
    expect(r.approverIds).not.toContain(approvers[0].identityId);
    await expect(decideRequest(db, approvers[0], r.id, "approve", {})).rejects.toMatchObject({ status: 403 });
  });

  it("when the entitlement owner asks, the approver group decides instead", async () => {
    const db = await testDb();
    const { admin, approvers } = await jitOrg(db);
    const owner = await makeCaller(db, ["requester"]);
    const entitlement = await makeEntitlement(db, { level: "admin", ownerId: owner.identityId });
    await createPolicy(db, admin, {
      name: "Owner approves",
      entitlementId: entitlement.id,
      identityIds: [owner.identityId],
      maxDurationMinutes: 60,
      defaultDurationMinutes: 30,
      approvalsRequired: 1,
      approverMode: "entitlement_owner",
    });
    const r = await createRequest(db, owner, asking(entitlement.id));
    expect(r.approverIds).not.toContain(owner.identityId);
    expect(r.approverIds).toEqual(expect.arrayContaining(approvers.map((a) => a.identityId)));
  });

  it("an NHI's owner cannot approve the NHI's request: they hold its token", async () => {
    const db = await testDb();
    const { admin, approvers, entitlement, policy } = await jitOrg(db);
    const nhi = await makeNhi(db, { ownerId: approvers[0].identityId });
    await addEligibleIdentities(db, admin, policy.id, { identityIds: [nhi.id] });
    const issued = await issueToken(db, approvers[0], { name: "deploy pipeline", scopes: ["jit:request"], identityId: nhi.id });
    const pipeline = (await tokenCaller(db, issued.token))!;
    const r = await createRequest(db, pipeline, asking(entitlement.id, { durationMinutes: 15 }));
    expect(r).toMatchObject({ requesterId: nhi.id, identityId: nhi.id, status: "pending" });
    expect(r.approverIds).not.toContain(approvers[0].identityId);
    await expect(decideRequest(db, approvers[0], r.id, "approve", {})).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining("nor one for an identity they own"),
    });
    expect(await decideRequest(db, approvers[1], r.id, "approve", {})).toMatchObject({ status: "active" });
    // The owner follows the NHI's requests.
    expect((await getRequest(db, approvers[0], r.id)).request.id).toBe(r.id);
  });

  it("API tokens act as their NHI, only within their scopes, until revoked", async () => {
    const db = await testDb();
    const { admin, approvers, entitlement, policy, requester } = await jitOrg(db);
    const owner = await makeCaller(db, ["owner"]);
    const nhi = await makeNhi(db, { ownerId: owner.identityId });
    await addEligibleIdentities(db, admin, policy.id, { identityIds: [nhi.id] });
    const reader = (await tokenCaller(db, (await issueToken(db, owner, { name: "read only", scopes: ["jit:read"], identityId: nhi.id })).token))!;
    const writerToken = await issueToken(db, owner, { name: "pipeline", scopes: ["jit:request"], identityId: nhi.id });
    const writer = (await tokenCaller(db, writerToken.token))!;

    expect((await myEligibility(db, reader)).eligibility.map((e) => e.entitlementId)).toEqual([entitlement.id]);
    await expect(createRequest(db, reader, asking(entitlement.id))).rejects.toMatchObject({ status: 403, message: "This token lacks the jit:request scope." });
    const r = await createRequest(db, writer, asking(entitlement.id));
    await expect(decideRequest(db, writer, r.id, "approve", {})).rejects.toMatchObject({
      status: 403,
      message: "Requests are approved by people, not tokens.",
    });
    await expect(revokeRequest(db, writer, r.id, { reason: "mine" })).rejects.toMatchObject({ status: 403 });
    await expect(listRequests(db, writer, { scope: "all" })).resolves.toBeTruthy();
    await expect(listRequests(db, writer, { scope: "approvals" })).rejects.toMatchObject({ status: 403 });

    // A token sees only its own NHI's requests.
    const humans = await createRequest(db, requester, asking(entitlement.id));
    expect((await listRequests(db, reader, { scope: "all" })).rows.map((x) => x.id)).toEqual([r.id]);
    await expect(getRequest(db, reader, humans.id)).rejects.toMatchObject({ status: 404 });
    await expect(releaseRequest(db, reader, r.id, {})).rejects.toMatchObject({ status: 403, message: "This token lacks the jit:request scope." });

    await decideRequest(db, approvers[2], r.id, "approve", {});
    expect((await listActiveElevations(db, writer, {})).rows.map((x) => x.requestId)).toEqual([r.id]);
    expect(await releaseRequest(db, writer, r.id, {})).toMatchObject({ status: "released" });

    await revokeToken(db, owner, writerToken.id);
    expect(await authenticateToken(db, writerToken.token)).toBeNull();
  });

  it("only admins create, change and retire policies or make identities eligible", async () => {
    const db = await testDb();
    const { approvers, requester, entitlement, policy } = await jitOrg(db);
    const valid = { name: "Another", entitlementId: entitlement.id, maxDurationMinutes: 60, defaultDurationMinutes: 30, approvalsRequired: 1 };
    for (const who of [requester, approvers[0]]) {
      await expect(createPolicy(db, who, valid)).rejects.toMatchObject({ status: 403 });
      await expect(updatePolicy(db, who, policy.id, { maxDurationMinutes: 120 })).rejects.toMatchObject({ status: 403 });
      await expect(archivePolicy(db, who, policy.id)).rejects.toMatchObject({ status: 403 });
      await expect(addEligibleIdentities(db, who, policy.id, { identityIds: [who.identityId] })).rejects.toMatchObject({ status: 403 });
    }
  });

  it("break-glass use is reviewed by approvers, never by the one who used it", async () => {
    const db = await testDb();
    const { approvers, requester, entitlement } = await jitOrg(db, { breakGlass: true, breakGlassMaxMinutes: 30 });
    const r = await createRequest(db, requester, asking(entitlement.id, { breakGlass: true, justification: "Payments are down, need to kill a lock" }));
    await expect(reviewBreakGlass(db, requester, r.id, { outcome: "confirm" })).rejects.toMatchObject({ status: 403 });
    const outsider = await makeCaller(db, ["requester"]);
    await expect(reviewBreakGlass(db, outsider, r.id, { outcome: "confirm" })).rejects.toMatchObject({ status: 404 });
    await expect(reviewBreakGlass(db, approvers[0], r.id, { outcome: "escalate" })).rejects.toMatchObject({
      status: 422,
      fieldErrors: { comment: ["Say why the use is escalated."] },
    });
    expect(await reviewBreakGlass(db, approvers[0], r.id, { outcome: "confirm", comment: "Matches INC-88" })).toMatchObject({ postReviewStatus: "confirmed" });
    await expect(reviewBreakGlass(db, approvers[1], r.id, { outcome: "confirm" })).rejects.toMatchObject({ status: 409 });
  });
});
