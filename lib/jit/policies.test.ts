import { eq, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { queryRows } from "@/db/rows";
import { auditLog, grants, identities, teams } from "@/db/schema";
import { getEffectiveAccess } from "@/lib/identities/detail";
import { makeCaller, makeEntitlement, makeGrant, makePerson, testDb, uniq } from "@/lib/testing/harness";
import { createConnector } from "@/lib/connectors/admin";
import { dispatchAccessEvents } from "@/lib/connectors/dispatch";
import { reviewBreakGlass } from "./decide";
import { myEligibility } from "./eligibility";
import { convertStandingToEligible } from "./convert";
import { addEligibleIdentities, archivePolicy, createPolicy, getPolicy, listPolicies, removeEligibleIdentity, updatePolicy } from "./policies";
import { createRequest } from "./request";
import { asking, eventsFor, grantRow, jitOrg, noticesFor, requestRow } from "./test-fixtures";

async function team(db: Awaited<ReturnType<typeof testDb>>) {
  const [row] = await db
    .insert(teams)
    .values({ name: uniq("team") })
    .returning();
  return row;
}

const terms = { maxDurationMinutes: 120, defaultDurationMinutes: 60, approvalsRequired: 1 };

describe("eligibility policies", () => {
  it("validates terms with clear messages and creates nothing when refused", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const entitlement = await makeEntitlement(db, { level: "admin" });
    await expect(
      createPolicy(db, admin, {
        name: "x",
        entitlementId: entitlement.id,
        maxDurationMinutes: 10,
        defaultDurationMinutes: 30_000,
        approvalsRequired: 0,
        approverMode: "named",
        breakGlassMaxMinutes: 600,
      }),
    ).rejects.toMatchObject({
      status: 422,
      fieldErrors: {
        name: [expect.stringContaining("at least 3")],
        maxDurationMinutes: ["The maximum duration is at least 15 minutes."],
        defaultDurationMinutes: ["The default duration is at most 20,160 minutes (14 days)."],
        approvalsRequired: [expect.stringContaining("At least one approval")],
        breakGlassMaxMinutes: ["The break-glass maximum is at most 240 minutes (4 hours)."],
      },
    });
    await expect(
      createPolicy(db, admin, {
        name: "Named",
        entitlementId: entitlement.id,
        ...terms,
        approvalsRequired: 2,
        approverMode: "named",
        approverIds: [admin.identityId],
      }),
    ).rejects.toMatchObject({
      fieldErrors: { approverIds: ["Name at least as many approvers as approvals required."] },
    });
    await expect(createPolicy(db, admin, { name: "Everyone", entitlementId: entitlement.id, ...terms, autoApproveAll: true })).rejects.toMatchObject({
      fieldErrors: { autoApproveAll: [expect.stringContaining("never auto-approved for everyone")] },
    });
    await expect(
      createPolicy(db, admin, { name: "Ghost team", entitlementId: entitlement.id, ...terms, teamIds: ["00000000-0000-4000-8000-000000000000"] }),
    ).rejects.toMatchObject({ fieldErrors: { teamIds: ["Every team must exist."] } });
    await expect(
      createPolicy(db, admin, {
        name: "Longer default",
        entitlementId: entitlement.id,
        maxDurationMinutes: 60,
        defaultDurationMinutes: 120,
        approvalsRequired: 1,
      }),
    ).rejects.toMatchObject({
      fieldErrors: { defaultDurationMinutes: ["The default duration cannot exceed the maximum."] },
    });
    expect((await listPolicies(db, admin)).filter((p) => p.policy.entitlementId === entitlement.id)).toHaveLength(0);
  });

  it("makes whole teams eligible by membership and auto-approves an on-call team", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    await makeCaller(db, ["approver"]);
    const sre = await team(db);
    const oncall = await team(db);
    const entitlement = await makeEntitlement(db, { level: "admin" });
    const policy = await createPolicy(db, admin, {
      name: "Cluster admin",
      entitlementId: entitlement.id,
      ...terms,
      teamIds: [sre.id, oncall.id],
      autoApproveTeamIds: [oncall.id],
    });
    const sreEngineer = await makeCaller(db, ["requester"]);
    const onCallEngineer = await makeCaller(db, ["requester"]);
    await db.update(identities).set({ teamId: sre.id }).where(eq(identities.id, sreEngineer.identityId));
    await db.update(identities).set({ teamId: oncall.id }).where(eq(identities.id, onCallEngineer.identityId));

    expect((await myEligibility(db, sreEngineer)).eligibility).toEqual([expect.objectContaining({ policyId: policy.id, autoApprove: false })]);
    expect((await myEligibility(db, onCallEngineer)).eligibility).toEqual([expect.objectContaining({ policyId: policy.id, autoApprove: true })]);
    expect(await createRequest(db, sreEngineer, asking(entitlement.id))).toMatchObject({ status: "pending" });
    const auto = await createRequest(db, onCallEngineer, asking(entitlement.id));
    expect(auto).toMatchObject({ status: "active" });
    expect(await grantRow(db, auto.grantId!)).toMatchObject({ provenance: "jit_approval", approvedById: null });
    const audit = await db.select().from(auditLog).where(eq(auditLog.entityId, auto.id));
    expect(audit.map((a) => a.action)).toEqual(["jit.requested", "jit.activated"]);
    expect(audit[1].after).toMatchObject({ how: expect.stringContaining("auto-approved for the team") });

    // Leaving the team ends the eligibility.
    await db.update(identities).set({ teamId: null }).where(eq(identities.id, sreEngineer.identityId));
    expect((await myEligibility(db, sreEngineer)).eligibility).toEqual([]);
  });

  it("issues named eligibility as reviewable grants, ends it through the revocation path, and retiring a policy cancels what waits", async () => {
    const db = await testDb();
    const { admin, requester, entitlement, policy } = await jitOrg(db);
    const other = await makePerson(db);
    expect(await addEligibleIdentities(db, admin, policy.id, { identityIds: [other.id, requester.identityId] })).toEqual({ added: 1, alreadyEligible: 1 });
    const detail = await getPolicy(db, admin, policy.id);
    expect(detail.named.map((n) => n.identityId).sort()).toEqual([requester.identityId, other.id].sort());
    const eligible = await db.select().from(grants).where(eq(grants.identityId, other.id));
    expect(eligible).toEqual([expect.objectContaining({ type: "eligible", provenance: "policy", provenanceRef: policy.id, approvedById: admin.identityId })]);
    // Eligibility is not access.
    expect((await getEffectiveAccess(db, admin, other.id)).grants).toEqual([]);

    expect(await removeEligibleIdentity(db, admin, policy.id, other.id)).toEqual({ removed: 1 });
    await expect(removeEligibleIdentity(db, admin, policy.id, other.id)).rejects.toMatchObject({ status: 404 });
    expect((await eventsFor(db, eligible[0].id)).map((e) => e.type)).toEqual(["grant.revoked"]);

    const pending = await createRequest(db, requester, asking(entitlement.id));
    await expect(updatePolicy(db, admin, policy.id, { defaultDurationMinutes: 500 })).rejects.toMatchObject({
      fieldErrors: { defaultDurationMinutes: ["The default duration cannot exceed the maximum."] },
    });
    expect(await updatePolicy(db, admin, policy.id, { maxDurationMinutes: 480, requireTicket: true })).toMatchObject({
      maxDurationMinutes: 480,
      requireTicket: true,
    });
    // The pending request keeps the terms it was made under.
    expect(await requestRow(db, pending.id)).toMatchObject({ approvalsRequired: 1 });

    await archivePolicy(db, admin, policy.id);
    expect(await requestRow(db, pending.id)).toMatchObject({ status: "cancelled", endReason: "The eligibility policy was retired" });
    expect((await myEligibility(db, requester)).eligibility).toEqual([]);
    await expect(updatePolicy(db, admin, policy.id, { maxDurationMinutes: 60 })).rejects.toMatchObject({ status: 409 });
  });

  it("removes standing privilege in one action: the grant ends and its holder may request it just in time", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    await makeCaller(db, ["approver"]);
    const engineer = await makeCaller(db, ["requester"]);
    const standing = await makeGrant(db, engineer.identityId, { level: "admin" });
    const reader = await makeCaller(db, ["auditor"]);
    await expect(convertStandingToEligible(db, reader, { grantIds: [standing.grant.id] })).rejects.toMatchObject({ status: 403 });
    await expect(convertStandingToEligible(db, admin, { grantIds: [] })).rejects.toMatchObject({ status: 422 });

    const result = await convertStandingToEligible(db, admin, { grantIds: [standing.grant.id], reason: "Least privilege" });
    expect(result.converted).toBe(1);
    expect((await grantRow(db, standing.grant.id)).revokeReason).toBe("Standing privilege removed: Least privilege");
    expect((await getEffectiveAccess(db, admin, engineer.identityId)).grants).toEqual([]);
    const [policy] = (await listPolicies(db, admin)).filter((p) => p.policy.entitlementId === standing.entitlement.id);
    expect(policy.policy).toMatchObject({ name: `Just-in-time ${standing.entitlement.name}`, approvalsRequired: 1, maxDurationMinutes: 480 });
    expect((await myEligibility(db, engineer)).eligibility).toEqual([expect.objectContaining({ entitlementId: standing.entitlement.id })]);
    await expect(convertStandingToEligible(db, admin, { grantIds: [standing.grant.id] })).rejects.toMatchObject({
      fieldErrors: { grantIds: ["1 of these is not a live standing grant."] },
    });
    const audit = await queryRows<{ action: string }>(db, sql`select action from audit_log where entity_id = ${standing.grant.id} order by id`);
    expect(audit.map((a) => a.action)).toEqual(["grant.revoked", "grant.converted_to_eligibility"]);
  });

  it("break-glass opens at once with a reason, is marked everywhere, notifies every approver and the webhook, and can be escalated", async () => {
    const db = await testDb();
    const { admin, approvers, requester, entitlement } = await jitOrg(db, { breakGlass: true, breakGlassMaxMinutes: 30 });
    // A loopback receiver: allowed only with the admin setting for private destinations.
    vi.stubEnv("WEBHOOK_ALLOW_PRIVATE", "1");
    const hook = await createConnector(db, admin, {
      name: uniq("pager"),
      kind: "webhook",
      url: "http://127.0.0.1:9/never-called-in-this-test",
      eventTypes: ["jit.break_glass"],
    });
    vi.unstubAllEnvs();
    await expect(createRequest(db, requester, asking(entitlement.id, { breakGlass: true, justification: "urgent" }))).rejects.toMatchObject({
      fieldErrors: { justification: ["Say what the emergency is (at least 10 characters)."] },
    });
    await expect(
      createRequest(db, requester, asking(entitlement.id, { breakGlass: true, durationMinutes: 60, justification: "Payments are down, need to kill a lock" })),
    ).rejects.toMatchObject({
      fieldErrors: { durationMinutes: [expect.stringContaining("At most 30 minutes for break-glass")] },
    });
    const pending = await createRequest(db, requester, asking(entitlement.id));
    const r = await createRequest(db, requester, asking(entitlement.id, { breakGlass: true, justification: "Payments are down, need to kill a lock" }));
    expect(r).toMatchObject({ status: "active", breakGlass: true, postReviewStatus: "pending" });
    expect(await requestRow(db, pending.id)).toMatchObject({ status: "cancelled", endReason: "Superseded by break-glass" });
    expect(await grantRow(db, r.grantId!)).toMatchObject({ provenance: "break_glass", approvedById: null });
    expect((await eventsFor(db, r.grantId!)).map((e) => e.type)).toEqual(["grant.activated", "jit.break_glass"]);
    for (const a of approvers) expect((await noticesFor(db, a.identityId)).map((n) => n.kind)).toContain("jit.break_glass");
    expect((await noticesFor(db, requester.identityId)).map((n) => n.kind)).not.toContain("jit.break_glass");
    // The webhook connector subscribed to break-glass gets it, and only that kind of event.
    await dispatchAccessEvents(db);
    const sent = await queryRows<{ type: string; reason: string }>(
      db,
      sql`select e.type, e.payload->>'reason' as reason from connector_deliveries d join access_events e on e.id = d.access_event_id where d.connector_id = ${hook.id} and (e.grant_id = ${r.grantId} or e.payload->>'requestId' = ${r.id})`,
    );
    expect(sent).toEqual([{ type: "jit.break_glass", reason: "Payments are down, need to kill a lock" }]);

    expect(await reviewBreakGlass(db, approvers[2], r.id, { outcome: "escalate", comment: "No incident on record" })).toMatchObject({
      status: "revoked",
      postReviewStatus: "escalated",
    });
    expect((await getEffectiveAccess(db, admin, requester.identityId)).grants).toEqual([]);
    expect((await noticesFor(db, admin.identityId)).map((n) => n.kind)).toContain("jit.break_glass_escalated");
  });

  it("refuses break-glass where no policy allows it", async () => {
    const db = await testDb();
    const { requester, entitlement } = await jitOrg(db);
    await expect(
      createRequest(db, requester, asking(entitlement.id, { breakGlass: true, justification: "Payments are down, need to kill a lock" })),
    ).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining("No eligibility policy allows break-glass"),
    });
  });

  it("refuses a second live policy with exactly the terms of one that exists, whatever the order of its lists", async () => {
    const db = await testDb();
    const { admin, policy, entitlement, requester, approvers } = await jitOrg(db);
    const same = {
      name: "The same policy under another name",
      entitlementId: entitlement.id,
      identityIds: [requester.identityId],
      maxDurationMinutes: 240,
      defaultDurationMinutes: 60,
      approvalsRequired: 1,
      approverMode: "named",
      approverIds: approvers.map((a) => a.identityId).reverse(),
      requireJustification: true,
    };
    await expect(createPolicy(db, admin, same)).rejects.toMatchObject({ status: 409, message: expect.stringContaining(policy.name) });
    // One term apart is another policy.
    await expect(createPolicy(db, admin, { ...same, maxDurationMinutes: 120 })).resolves.toMatchObject({ maxDurationMinutes: 120 });
    // Once the first is retired, its terms are free again.
    await archivePolicy(db, admin, policy.id);
    await expect(createPolicy(db, admin, same)).resolves.toMatchObject({ name: same.name });
  });
});
