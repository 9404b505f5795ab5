import { and, eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  accessEvents,
  attestations,
  campaigns,
  credentials,
  credentialTasks,
  grants,
  identities,
  jitRequests,
  lifecycleEvents,
  reviewItems,
} from "@/db/schema";
import { SYSTEM_ACTOR } from "@/lib/audit/record";
import { listCredentialTasks, markRotated } from "@/lib/credentials/rotation";
import { getEffectiveAccess } from "@/lib/identities/detail";
import { listOrphans } from "@/lib/attestation/orphans";
import { attest } from "@/lib/attestation/attest";
import { createCampaign } from "@/lib/certification/campaigns";
import { launchCampaign } from "@/lib/certification/launch";
import { decideRequest } from "@/lib/jit/decide";
import { createRequest } from "@/lib/jit/request";
import { asking, jitOrg } from "@/lib/jit/test-fixtures";
import { makeCaller, makeGrant, makeNhi, makePerson, makeSystem, testDb } from "@/lib/testing/harness";
import { applyLifecycle, offboardPerson } from "./apply";
import { lifecycleTimeline } from "./timeline";

describe("leavers and movers", () => {
  it("a leaver ends with zero active privilege, NHIs re-homed with attestations due, rotation tasks, reviews moved; again changes nothing", async () => {
    const db = await testDb();
    const { admin, approvers, requester: leaver, entitlement } = await jitOrg(db);
    const manager = await makePerson(db);
    await db.update(identities).set({ managerId: manager.id }).where(eq(identities.id, leaver.identityId));
    const backup = await makePerson(db);
    const system = await makeSystem(db);
    const standing = await makeGrant(db, leaver.identityId, { level: "admin", systemId: system.id });
    const withBackup = await makeNhi(db, { ownerId: leaver.identityId, backupOwnerId: backup.id, systemId: system.id });
    const withoutBackup = await makeNhi(db, { ownerId: leaver.identityId, systemId: system.id });
    const backedUp = await makeNhi(db, { ownerId: backup.id, backupOwnerId: leaver.identityId, systemId: system.id });
    const [key] = await db
      .insert(credentials)
      .values({ identityId: withBackup.id, type: "access_key", label: "AKIA…LEFT", issuedAt: new Date(Date.now() - 86_400_000) })
      .returning();
    await db.insert(attestations).values({
      identityId: withoutBackup.id,
      ownerId: leaver.identityId,
      status: "escalated",
      dueAt: new Date(Date.now() - 86_400_000),
      escalationLevel: 1,
      escalatedToId: manager.id,
    });
    // Active JIT elevation and a pending request.
    const jit = await createRequest(db, leaver, asking(entitlement.id));
    await decideRequest(db, approvers[0], jit.id, "approve", {});
    // A review item assigned to the leaver.
    const reviewee = await makeNhi(db, { ownerId: backup.id, systemId: system.id });
    await makeGrant(db, reviewee.id, { systemId: system.id });
    const fallback = await makePerson(db);
    const campaign = await createCampaign(db, admin, {
      name: "Leaver's review",
      scope: { identityIds: [reviewee.id] },
      reviewerStrategy: "named",
      reviewerIds: [leaver.identityId],
      fallbackReviewerId: fallback.id,
      startsAt: new Date().toISOString(),
      dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    });
    await launchCampaign(db, admin, campaign.id);

    await expect(offboardPerson(db, leaver, leaver.identityId, { reason: "left" })).rejects.toMatchObject({ status: 403 });
    await expect(offboardPerson(db, admin, leaver.identityId, {})).rejects.toMatchObject({ status: 422 });
    const { outcome } = await offboardPerson(db, admin, leaver.identityId, { reason: "Resigned, last day today" });
    expect(outcome).toMatchObject({ jitEnded: 1, reviewsReassigned: 1, credentialTasks: 1 });
    expect((await getEffectiveAccess(db, admin, leaver.identityId)).grants).toEqual([]);
    expect(
      await db
        .select()
        .from(grants)
        .where(and(eq(grants.identityId, leaver.identityId), isNull(grants.revokedAt))),
    ).toEqual([]);
    expect((await db.select().from(grants).where(eq(grants.id, standing.grant.id)))[0].revokedAt).not.toBeNull();
    expect((await db.select().from(jitRequests).where(eq(jitRequests.id, jit.id)))[0].status).toBe("revoked");

    const nhi = async (id: string) => (await db.select().from(identities).where(eq(identities.id, id)))[0];
    expect(await nhi(withBackup.id)).toMatchObject({ ownerId: backup.id, backupOwnerId: null, rehomedFromId: leaver.identityId });
    expect(await nhi(withoutBackup.id)).toMatchObject({ ownerId: manager.id, rehomedFromId: leaver.identityId });
    expect((await nhi(withoutBackup.id)).nextAttestationAt!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await nhi(backedUp.id)).toMatchObject({ ownerId: backup.id, backupOwnerId: null });
    const [open] = await db.select().from(attestations).where(eq(attestations.identityId, withoutBackup.id));
    expect(open).toMatchObject({ ownerId: manager.id, status: "pending", escalationLevel: 0 });
    const [task] = await db.select().from(credentialTasks).where(eq(credentialTasks.credentialId, key.id));
    expect(task).toMatchObject({ kind: "rotate", status: "open" });
    expect(
      (await db.select().from(accessEvents)).some(
        (e) => e.type === "credential.rotation_requested" && (e.payload as { credentialId?: string }).credentialId === key.id,
      ),
    ).toBe(true);
    const [moved] = await db.select().from(reviewItems).where(eq(reviewItems.campaignId, campaign.id));
    expect(moved).toMatchObject({ reviewerId: fallback.id, routing: "reassigned: reviewer left" });

    // Re-homed NHIs are listed with the orphans until their new owner attests them.
    const orphans = await listOrphans(db, admin, { pageSize: "200" });
    expect(orphans.rows.map((r) => r.id)).toEqual(expect.arrayContaining([withBackup.id, withoutBackup.id]));
    const backupCaller = (await import("@/lib/caller")).resolveCaller;
    const asBackup = (await backupCaller(db, backup.id))!;
    await attest(db, asBackup, withBackup.id, { stillNeeded: true, purpose: "Still runs the nightly export" });
    expect((await listOrphans(db, admin, { pageSize: "200" })).rows.map((r) => r.id)).not.toContain(withBackup.id);

    // The new owner rotates the key: the task is done.
    expect((await listCredentialTasks(db, asBackup)).map((t) => t.credentialId)).toContain(key.id);
    await markRotated(db, asBackup, key.id, {});
    expect((await db.select().from(credentialTasks).where(eq(credentialTasks.id, task.id)))[0].status).toBe("done");
    await expect(markRotated(db, leaver, key.id, {})).rejects.toMatchObject({ status: 404 });

    // The timeline shows what happened; processing again does nothing more.
    const timeline = await lifecycleTimeline(db, admin, leaver.identityId);
    expect(timeline[0]).toMatchObject({ type: "leaver", source: "admin", processedAt: expect.any(Date), outcome: expect.objectContaining({ jitEnded: 1 }) });
    await expect(offboardPerson(db, admin, leaver.identityId, { reason: "again" })).rejects.toMatchObject({ status: 409 });
    const again = await db.transaction((tx) => applyLifecycle(tx, SYSTEM_ACTOR, { identityId: leaver.identityId, type: "leaver", source: "test" }));
    expect(again.outcome).toMatchObject({ grantsRevoked: 0, jitEnded: 0, requestsCancelled: 0, reviewsReassigned: 0, nhisRehomed: [], credentialTasks: 0 });
    expect(await db.select().from(lifecycleEvents).where(eq(lifecycleEvents.identityId, leaver.identityId))).toHaveLength(2);
  });

  it("a mover's access goes into a targeted review for their manager", async () => {
    const db = await testDb();
    await makeCaller(db, ["admin"]);
    const manager = await makePerson(db);
    const mover = await makePerson(db, { managerId: manager.id });
    await makeGrant(db, mover.id, { level: "privileged" });
    await makeGrant(db, mover.id);
    const { outcome } = await db.transaction((tx) =>
      applyLifecycle(tx, SYSTEM_ACTOR, { identityId: mover.id, type: "mover", source: "test", details: { team: { from: "Payments", to: "Data" } } }),
    );
    expect(outcome).toMatchObject({ items: 2, reviewerId: manager.id });
    const [campaign] = await db
      .select()
      .from(campaigns)
      .where(eq(campaigns.id, (outcome as { reviewCampaignId: string }).reviewCampaignId));
    expect(campaign).toMatchObject({ status: "active", reviewerIds: [manager.id] });
    const items = await db.select().from(reviewItems).where(eq(reviewItems.campaignId, campaign.id));
    expect(items.every((i) => i.reviewerId === manager.id)).toBe(true);
  });
});
