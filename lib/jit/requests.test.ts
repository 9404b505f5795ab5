import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/db/rows";
import { jitRequests } from "@/db/schema";
import { getEffectiveAccess } from "@/lib/identities/detail";
import { testDatabase, testDb } from "@/lib/testing/harness";
import { listActiveElevations } from "./active";
import { decideRequest } from "./decide";
import { myEligibility } from "./eligibility";
import { cancelRequest, releaseRequest } from "./end";
import { listRequests } from "./list";
import { createRequest } from "./request";
import { asking, eventsFor, grantRow, jitOrg, noticesFor, remediationsFor, requestRow, windowEndedAgo } from "./test-fixtures";
import { settleRequest, sweepRequests } from "./window";

const effective = async (db: Awaited<ReturnType<typeof testDb>>, caller: Parameters<typeof getEffectiveAccess>[1], identityId: string) =>
  (await getEffectiveAccess(db, caller, identityId)).grants.map((g) => g.entitlementId);

const pendingNotice = async (db: Awaited<ReturnType<typeof testDb>>, approverId: string, requestId: string) =>
  (await noticesFor(db, approverId)).find((n) => n.kind === "jit.pending" && n.link === `/access-requests/${requestId}`);

describe("approvers' notices follow the request", () => {
  it("an approver's notice is read once they decide; everyone's once the request is no longer pending", async () => {
    const db = await testDb();
    const { approvers, requester, entitlement } = await jitOrg(db, { approvalsRequired: 2 });
    const r = await createRequest(db, requester, asking(entitlement.id));
    for (const a of approvers) expect((await pendingNotice(db, a.identityId, r.id))?.readAt).toBeNull();
    await decideRequest(db, approvers[0], r.id, "approve", {});
    // The one who approved is done; the others are still asked.
    expect((await pendingNotice(db, approvers[0].identityId, r.id))?.readAt).not.toBeNull();
    expect((await pendingNotice(db, approvers[1].identityId, r.id))?.readAt).toBeNull();
    await decideRequest(db, approvers[1], r.id, "approve", {});
    for (const a of approvers) expect((await pendingNotice(db, a.identityId, r.id))?.readAt, a.name).not.toBeNull();

    // Denied: nobody is asked any more.
    await releaseRequest(db, requester, r.id, {});
    const denied = await createRequest(db, requester, asking(entitlement.id, { justification: "Another look at the ledger" }));
    await decideRequest(db, approvers[2], denied.id, "deny", { comment: "Not now" });
    for (const a of approvers) expect((await pendingNotice(db, a.identityId, denied.id))?.readAt).not.toBeNull();
    // Cancelled by the requester: the same.
    const cancelled = await createRequest(db, requester, asking(entitlement.id, { justification: "Check the ledger migration once more" }));
    await cancelRequest(db, requester, cancelled.id);
    for (const a of approvers) expect((await pendingNotice(db, a.identityId, cancelled.id))?.readAt).not.toBeNull();
  });
});

describe("just-in-time requests", () => {
  it("shows the requester only what they are eligible for, and refuses the rest", async () => {
    const db = await testDb();
    const { requester, outsider, entitlement, policy } = await jitOrg(db);
    const mine = (await myEligibility(db, requester)).eligibility;
    expect(mine).toEqual([
      expect.objectContaining({ entitlementId: entitlement.id, policyId: policy.id, maxDurationMinutes: 240, approvalsRequired: 1, autoApprove: false }),
    ]);
    expect((await myEligibility(db, outsider)).eligibility).toEqual([]);
    await expect(createRequest(db, outsider, asking(entitlement.id))).rejects.toMatchObject({ status: 403, message: expect.stringContaining("not eligible") });
  });

  it("validates the request against the policy and changes nothing when refused", async () => {
    const db = await testDb();
    const { requester, entitlement } = await jitOrg(db, { requireTicket: true });
    await expect(
      createRequest(db, requester, { entitlementId: entitlement.id, durationMinutes: 241, justification: "short", startAt: "2020-01-01" }),
    ).rejects.toMatchObject({
      status: 422,
      fieldErrors: {
        durationMinutes: [expect.stringContaining("At most 240 minutes")],
        justification: ["Say why you need it (at least 10 characters)."],
        ticket: [expect.stringContaining("ticket reference")],
        startAt: ["The start cannot be in the past."],
      },
    });
    await expect(createRequest(db, requester, { entitlementId: entitlement.id, ticket: "not a ticket!" })).rejects.toMatchObject({
      status: 422,
      fieldErrors: { ticket: [expect.stringContaining("2 to 64")] },
    });
    await expect(createRequest(db, requester, { entitlementId: "nope" })).rejects.toMatchObject({
      status: 422,
      fieldErrors: { entitlementId: ["Choose what to request."] },
    });
    expect(await db.select().from(jitRequests).where(eq(jitRequests.identityId, requester.identityId))).toHaveLength(0);
  });

  it("goes pending, is approved by another person, becomes effective with its window, and ends on release", async () => {
    const db = await testDb();
    const { admin, approvers, requester, entitlement } = await jitOrg(db);
    const pending = await createRequest(db, requester, asking(entitlement.id, { durationMinutes: 30, ticket: "INC-4211" }));
    expect(pending).toMatchObject({ status: "pending", durationMinutes: 30, approvalsRequired: 1, ticket: "INC-4211" });
    expect(new Set(pending.approverIds)).toEqual(new Set(approvers.map((a) => a.identityId)));
    expect((await noticesFor(db, approvers[0].identityId)).map((n) => n.kind)).toContain("jit.pending");
    expect(await effective(db, admin, requester.identityId)).not.toContain(entitlement.id);
    await expect(createRequest(db, requester, asking(entitlement.id))).rejects.toMatchObject({
      status: 409,
      message: expect.stringContaining("already a pending request"),
    });

    const approved = await decideRequest(db, approvers[1], pending.id, "approve", { comment: "Go ahead" });
    expect(approved).toMatchObject({ status: "active", approvals: 1 });
    const row = await requestRow(db, pending.id);
    const grant = await grantRow(db, row.grantId!);
    expect(grant).toMatchObject({ type: "jit", provenance: "jit_approval", provenanceRef: pending.id, approvedById: approvers[1].identityId, revokedAt: null });
    expect(grant.expiresAt!.getTime() - grant.startsAt.getTime()).toBe(30 * 60_000);
    expect(await effective(db, admin, requester.identityId)).toContain(entitlement.id);
    expect((await listActiveElevations(db, admin, { identityId: requester.identityId })).rows).toEqual([
      expect.objectContaining({ grantId: grant.id, requestId: pending.id }),
    ]);
    expect((await eventsFor(db, grant.id)).map((e) => e.type)).toEqual(["grant.activated"]);
    expect((await noticesFor(db, requester.identityId)).map((n) => n.kind)).toContain("jit.approved");

    const released = await releaseRequest(db, requester, pending.id, { comment: "Migration fixed" });
    expect(released).toMatchObject({ status: "released", endReason: "Released early by the requester: Migration fixed" });
    expect(await effective(db, admin, requester.identityId)).not.toContain(entitlement.id);
    expect((await grantRow(db, grant.id)).revokedAt).not.toBeNull();
    expect(await remediationsFor(db, grant.id)).toEqual([expect.objectContaining({ source: "jit", sourceRef: pending.id, status: "pending" })]);
    expect((await eventsFor(db, grant.id)).map((e) => e.type)).toEqual(["grant.activated", "grant.revoked"]);
    await expect(releaseRequest(db, requester, pending.id, {})).rejects.toMatchObject({ status: 409 });

    // The history stays visible and searchable after it ends.
    const found = await listRequests(db, requester, { scope: "mine", q: "INC-4211" });
    expect(found.rows).toEqual([expect.objectContaining({ id: pending.id, status: "released", approvals: 1 })]);
    expect((await listRequests(db, admin, { scope: "all", status: "released", identityId: requester.identityId })).total).toBe(1);
  });

  it("needs N of M approvals; one deny ends a request when the policy says so", async () => {
    const db = await testDb();
    const { approvers, requester, entitlement } = await jitOrg(db, { approvalsRequired: 2 });
    const r = await createRequest(db, requester, asking(entitlement.id));
    expect(await decideRequest(db, approvers[0], r.id, "approve", {})).toMatchObject({ status: "pending", approvals: 1 });
    await expect(decideRequest(db, approvers[0], r.id, "approve", {})).rejects.toMatchObject({
      status: 409,
      message: "You have already decided this request.",
    });
    expect((await listRequests(db, approvers[0], { scope: "approvals" })).rows.map((x) => x.id)).not.toContain(r.id);
    expect((await listRequests(db, approvers[1], { scope: "approvals" })).rows.map((x) => x.id)).toContain(r.id);
    expect(await decideRequest(db, approvers[2], r.id, "approve", {})).toMatchObject({ status: "active", approvals: 2 });
    await expect(decideRequest(db, approvers[1], r.id, "deny", { comment: "Too late" })).rejects.toMatchObject({
      status: 409,
      message: expect.stringContaining("already approved"),
    });

    const r2 = await (async () => {
      await releaseRequest(db, requester, r.id, {});
      return createRequest(db, requester, asking(entitlement.id));
    })();
    await expect(decideRequest(db, approvers[0], r2.id, "deny", {})).rejects.toMatchObject({
      status: 422,
      fieldErrors: { comment: ["Say why the request is denied."] },
    });
    expect(await decideRequest(db, approvers[0], r2.id, "deny", { comment: "Use the read replica" })).toMatchObject({ status: "denied" });
    expect((await requestRow(db, r2.id)).grantId).toBeNull();
  });

  it("without deny-ends-request, a deny ends the request only when approval can no longer be reached", async () => {
    const db = await testDb();
    const { approvers, requester, entitlement } = await jitOrg(db, { approvalsRequired: 2, denyEndsRequest: false });
    const r = await createRequest(db, requester, asking(entitlement.id));
    expect(await decideRequest(db, approvers[0], r.id, "deny", { comment: "Not convinced" })).toMatchObject({ status: "pending", denials: 1 });
    expect(await decideRequest(db, approvers[1], r.id, "deny", { comment: "Nor am I" })).toMatchObject({ status: "denied", denials: 2 });
  });

  it("times out a pending request nobody decided, and then refuses decisions", async () => {
    const db = await testDb();
    const { approvers, requester, entitlement } = await jitOrg(db, { pendingTimeoutMinutes: 5 });
    const r = await createRequest(db, requester, asking(entitlement.id));
    expect(r.pendingUntil.getTime() - r.createdAt.getTime()).toBe(5 * 60_000);
    const jobs = await queryRows<{ name: string; start_after: Date }>(db, sql`select name, start_after from pgboss.job where data->>'requestId' = ${r.id}`);
    expect(jobs).toEqual([expect.objectContaining({ name: "jit.settle" })]);
    expect(new Date(jobs[0].start_after).getTime()).toBe(r.pendingUntil.getTime());

    await db
      .update(jitRequests)
      .set({ pendingUntil: new Date(Date.now() - 1000) })
      .where(eq(jitRequests.id, r.id));
    expect((await listRequests(db, requester, { scope: "mine" })).rows[0]).toMatchObject({ id: r.id, status: "timed_out" });
    expect((await listRequests(db, approvers[0], { scope: "approvals" })).rows.map((x) => x.id)).not.toContain(r.id);
    await expect(decideRequest(db, approvers[0], r.id, "approve", {})).rejects.toMatchObject({ status: 409, message: expect.stringContaining("timed out") });
    expect((await requestRow(db, r.id)).status).toBe("timed_out");
    expect((await noticesFor(db, requester.identityId)).map((n) => n.kind)).toContain("jit.timed_out");
    // A timed-out request no longer blocks a new one.
    await expect(createRequest(db, requester, asking(entitlement.id))).resolves.toMatchObject({ status: "pending" });
  });

  it("opens a scheduled window at its start, not at approval", async () => {
    const db = await testDb();
    const { admin, approvers, requester, entitlement } = await jitOrg(db);
    const startAt = new Date(Date.now() + 2 * 3_600_000);
    const r = await createRequest(db, requester, asking(entitlement.id, { startAt: startAt.toISOString(), durationMinutes: 60 }));
    expect(r.pendingUntil.getTime()).toBe(startAt.getTime());
    const approved = await decideRequest(db, approvers[0], r.id, "approve", {});
    expect(approved).toMatchObject({ status: "approved", startsAt: startAt });
    expect(await effective(db, admin, requester.identityId)).not.toContain(entitlement.id);
    const grantId = (await requestRow(db, r.id)).grantId!;
    expect(await eventsFor(db, grantId)).toHaveLength(0);

    // The start arrives (moved into the past here, as time would).
    await db
      .update(jitRequests)
      .set({ startsAt: new Date(Date.now() - 1000) })
      .where(eq(jitRequests.id, r.id));
    await db.execute(sql`update grants set starts_at = now() - interval '1 second' where id = ${grantId}`);
    expect(await effective(db, admin, requester.identityId)).toContain(entitlement.id);
    expect(await db.transaction((tx) => settleRequest(tx, r.id))).toMatchObject({ status: "active" });
    expect((await eventsFor(db, grantId)).map((e) => e.type)).toEqual(["grant.activated"]);
  });

  it("never treats a grant past its expiry as effective, even before the expiry is recorded (a restart)", async () => {
    const db = await testDb();
    const { admin, approvers, requester, entitlement } = await jitOrg(db);
    const r = await createRequest(db, requester, asking(entitlement.id, { durationMinutes: 15 }));
    await decideRequest(db, approvers[0], r.id, "approve", {});
    // The app was down when the window ended: nothing has recorded the expiry yet.
    await windowEndedAgo(db, r.id, 3);
    const { grantId } = await requestRow(db, r.id);
    expect((await requestRow(db, r.id)).status).toBe("active");
    expect(await effective(db, admin, requester.identityId)).not.toContain(entitlement.id);
    expect((await listActiveElevations(db, admin, { identityId: requester.identityId })).total).toBe(0);
    expect((await listRequests(db, requester, { scope: "mine" })).rows[0].status).toBe("expired");

    // Back up: the catch-up sweep records the expiry through the revocation path, once.
    const { settled } = await sweepRequests(db);
    expect(settled).toBeGreaterThanOrEqual(1);
    const ended = await requestRow(db, r.id);
    expect(ended).toMatchObject({ status: "expired", endReason: "Expired: the approved window ended" });
    expect(ended.endedAt!.getTime()).toBe(ended.expiresAt!.getTime());
    expect((await grantRow(db, grantId!)).revokedAt).not.toBeNull();
    expect((await eventsFor(db, grantId!)).map((e) => e.type)).toEqual(["grant.activated", "grant.revoked"]);
    expect(await remediationsFor(db, grantId!)).toHaveLength(1);
    await sweepRequests(db);
    expect(await remediationsFor(db, grantId!)).toHaveLength(1);
    expect((await noticesFor(db, requester.identityId)).map((n) => n.kind)).toContain("jit.expired");
  });

  it("schedules the expiry, activation and reminder as durable jobs keyed by the request", async () => {
    const db = await testDb();
    const { approvers, requester, entitlement } = await jitOrg(db);
    const r = await createRequest(db, requester, asking(entitlement.id, { durationMinutes: 45, startAt: new Date(Date.now() + 600_000).toISOString() }));
    const approved = await decideRequest(db, approvers[0], r.id, "approve", {});
    const jobs = await queryRows<{ name: string; start_after: Date }>(
      db,
      sql`select name, start_after from pgboss.job where data->>'requestId' = ${r.id} order by start_after`,
    );
    const at = (d: Date | null) => d!.getTime();
    expect(jobs.map((j) => [j.name, new Date(j.start_after).getTime()])).toEqual(
      [
        ["jit.settle", at(approved.startsAt)],
        ["jit.settle", at(r.pendingUntil)],
        ["jit.remind", at(approved.expiresAt) - 10 * 60_000],
        ["jit.settle", at(approved.expiresAt)],
      ].sort((a, b) => (a[1] as number) - (b[1] as number)),
    );
  });

  it("two approvers approving at the same moment produce exactly one grant", async () => {
    const database = await testDatabase();
    const db = database.db;
    const { approvers, requester, entitlement } = await jitOrg(db);
    for (let round = 0; round < 5; round++) {
      const r = await createRequest(db, requester, asking(entitlement.id));
      const results = await Promise.allSettled([decideRequest(db, approvers[0], r.id, "approve", {}), decideRequest(db, approvers[1], r.id, "approve", {})]);
      expect(results.filter((x) => x.status === "fulfilled")).toHaveLength(1);
      expect(results.filter((x) => x.status === "rejected").map((x) => x.reason.status)).toEqual([409]);
      const grantsForRequest = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from grants where provenance_ref = ${r.id}`);
      expect(grantsForRequest[0].n).toBe(1);
      await releaseRequest(db, requester, r.id, {});
    }
  });
});
