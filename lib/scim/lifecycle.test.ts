import { and, eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, campaigns, credentials, credentialTasks, grants, identities, jitRequests, lifecycleEvents, reviewItems } from "@/db/schema";
import { getEffectiveAccess } from "@/lib/identities/detail";
import { decideRequest } from "@/lib/jit/decide";
import { createRequest } from "@/lib/jit/request";
import { asking, jitOrg } from "@/lib/jit/test-fixtures";
import { makeGrant, makeNhi, makePerson, testDb, uniq } from "@/lib/testing/harness";
import { patchBody, scimClient } from "./test-client";

type Db = Awaited<ReturnType<typeof testDb>>;
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const rowOf = async (db: Db, id: string) => (await db.select().from(identities).where(eq(identities.id, id)))[0];
const eventsOf = (db: Db, id: string, type: "joiner" | "mover" | "leaver") =>
  db
    .select()
    .from(lifecycleEvents)
    .where(and(eq(lifecycleEvents.identityId, id), eq(lifecycleEvents.type, type)));

async function credentialFor(db: Db, identityId: string) {
  const [row] = await db
    .insert(credentials)
    .values({ identityId, type: "access_key", label: uniq("AKIA"), issuedAt: new Date(Date.now() - 30 * 86_400_000) })
    .returning();
  return row;
}

describe("SCIM lifecycle", () => {
  it("a deactivation from the identity provider leaves nothing behind: access ends, NHIs are re-homed, secrets rotate, all on the record", async () => {
    const db = await testDb();
    const { call, tokenName, admin } = await scimClient(db);
    const { requester, approvers, entitlement } = await jitOrg(db);
    const personId = requester.identityId;
    const manager = await makePerson(db);
    const backup = await makePerson(db);

    // The identity provider states the manager first (a first manager is no move).
    const placed = await call("PATCH", `/Users/${personId}`, { body: patchBody({ op: "add", path: `${ENTERPRISE}:manager`, value: manager.id }) });
    expect(placed.status).toBe(200);
    expect(await eventsOf(db, personId, "mover")).toEqual([]);

    // Standing admin access, and a JIT window open right now.
    const { grant: standing } = await makeGrant(db, personId, { level: "admin" });
    const request = await createRequest(db, requester, asking(entitlement.id, { durationMinutes: 60 }));
    await decideRequest(db, approvers[0], request.id, "approve", { comment: "Incident INC-7" });
    const [jit] = await db.select().from(jitRequests).where(eq(jitRequests.id, request.id));
    expect(jit.status).toBe("active");
    const active = (await getEffectiveAccess(db, admin, personId)).grants.map((g) => g.grantId);
    expect(active).toEqual(expect.arrayContaining([standing.id, jit.grantId]));

    // NHIs they own: one with a backup owner, one without.
    const withBackup = await makeNhi(db, { ownerId: personId, backupOwnerId: backup.id });
    const alone = await makeNhi(db, { ownerId: personId });
    const [cred1, cred2] = [await credentialFor(db, withBackup.id), await credentialFor(db, alone.id)];

    const [{ lastAudit }] = await db.select({ lastAudit: sql<number>`coalesce(max(${auditLog.id}), 0)::int` }).from(auditLog);
    const off = await call("PATCH", `/Users/${personId}`, { body: patchBody({ op: "replace", path: "active", value: false }) });
    expect(off.status).toBe(200);
    expect(off.json.active).toBe(false);

    // Zero active privilege, at once.
    expect((await getEffectiveAccess(db, admin, personId)).grants).toEqual([]);
    const live = await db.select().from(grants).where(eq(grants.identityId, personId));
    expect(live.every((g) => g.revokedAt !== null)).toBe(true);
    expect((await db.select().from(jitRequests).where(eq(jitRequests.id, request.id)))[0].status).toBe("revoked");

    // NHIs re-homed: to the backup owner, else to the manager, with attestation due now.
    const [nhi1, nhi2] = [await rowOf(db, withBackup.id), await rowOf(db, alone.id)];
    expect(nhi1).toMatchObject({ ownerId: backup.id, backupOwnerId: null, rehomedFromId: personId });
    expect(nhi2).toMatchObject({ ownerId: manager.id, rehomedFromId: personId });
    for (const nhi of [nhi1, nhi2]) expect(nhi.nextAttestationAt!.getTime()).toBeLessThanOrEqual(Date.now());

    // Their secrets were known to someone who left: rotation tasks.
    const tasks = await db
      .select()
      .from(credentialTasks)
      .where(inArray(credentialTasks.credentialId, [cred1.id, cred2.id]));
    expect(tasks.map((t) => [t.credentialId, t.kind, t.status]).sort()).toEqual(
      [
        [cred1.id, "rotate", "open"],
        [cred2.id, "rotate", "open"],
      ].sort(),
    );

    // The event with its outcome, and the evidence in the audit log.
    const [leaver] = await eventsOf(db, personId, "leaver");
    expect(leaver).toMatchObject({ source: `scim:${tokenName}`, details: { reason: "deactivated by the identity provider" } });
    expect(leaver.processedAt).not.toBeNull();
    expect(leaver.outcome).toMatchObject({
      jitEnded: 1,
      credentialTasks: 2,
      nhisRehomed: expect.arrayContaining([
        expect.objectContaining({ identityId: withBackup.id, to: backup.id }),
        expect.objectContaining({ identityId: alone.id, to: manager.id }),
      ]),
    });
    expect((leaver.outcome as { grantsRevoked: number }).grantsRevoked).toBeGreaterThanOrEqual(1);
    const evidence = await db
      .select()
      .from(auditLog)
      .where(inArray(auditLog.entityId, [personId, standing.id, jit.grantId!, request.id, withBackup.id, alone.id, cred1.id, cred2.id]));
    const recent = evidence.filter((a) => a.id > lastAudit);
    const actions = recent.map((a) => `${a.action}:${a.entityId}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        `identity.offboarded:${personId}`,
        `lifecycle.leaver:${personId}`,
        `grant.revoked:${standing.id}`,
        `grant.revoked:${jit.grantId}`,
        `jit.revoked:${request.id}`,
        `identity.owner_reassigned:${withBackup.id}`,
        `identity.owner_reassigned:${alone.id}`,
        `credential.rotation_requested:${cred1.id}`,
      ]),
    );
    expect(new Set(recent.map((a) => a.actorLabel))).toEqual(new Set([`scim: ${tokenName}`]));

    // A retry of the same deactivation changes nothing more.
    await call("PATCH", `/Users/${personId}`, { body: patchBody({ op: "replace", value: { active: false } }) });
    expect(await eventsOf(db, personId, "leaver")).toHaveLength(1);
  });

  it("a new manager through SCIM is a mover: their access goes to a targeted review for the new manager", async () => {
    const db = await testDb();
    const { call } = await scimClient(db);
    const oldManager = await makePerson(db);
    const newManager = await makePerson(db);
    const person = await makePerson(db, { managerId: oldManager.id });
    const { grant } = await makeGrant(db, person.id, { level: "privileged" });

    const res = await call("PATCH", `/Users/${person.id}`, {
      body: patchBody({ op: "replace", path: `${ENTERPRISE}:manager`, value: { value: newManager.id } }),
    });
    expect(res.status).toBe(200);
    expect(res.json[ENTERPRISE].manager).toMatchObject({ value: newManager.id, displayName: newManager.displayName });

    const [mover] = await eventsOf(db, person.id, "mover");
    expect(mover.details).toMatchObject({ managerId: { from: oldManager.id, to: newManager.id } });
    const outcome = mover.outcome as { reviewCampaignId: string; reviewerId: string; items: number };
    expect(outcome).toMatchObject({ reviewerId: newManager.id, items: 1 });
    const [campaign] = await db.select().from(campaigns).where(eq(campaigns.id, outcome.reviewCampaignId));
    expect(campaign).toMatchObject({ status: "active", ownerId: newManager.id });
    const items = await db.select().from(reviewItems).where(eq(reviewItems.campaignId, campaign.id));
    expect(items).toEqual([expect.objectContaining({ grantId: grant.id, identityId: person.id, reviewerId: newManager.id })]);
    // Unchanged fields sent again are not a move.
    await call("PATCH", `/Users/${person.id}`, { body: patchBody({ op: "replace", path: `${ENTERPRISE}:manager`, value: newManager.id }) });
    expect(await eventsOf(db, person.id, "mover")).toHaveLength(1);
  });

  it("a department change moves the primary team: a mover; the first department is not", async () => {
    const db = await testDb();
    const { call } = await scimClient(db);
    const person = await makePerson(db, { managerId: (await makePerson(db)).id });
    await makeGrant(db, person.id);
    const first = uniq("Payments");
    await call("PATCH", `/Users/${person.id}`, { body: patchBody({ op: "add", value: { [`${ENTERPRISE}:department`]: first } }) });
    expect(await eventsOf(db, person.id, "mover")).toEqual([]);
    const teamBefore = (await rowOf(db, person.id)).teamId;
    const second = uniq("Risk");
    const res = await call("PATCH", `/Users/${person.id}`, { body: patchBody({ op: "replace", path: `${ENTERPRISE}:department`, value: second }) });
    expect(res.json[ENTERPRISE].department).toBe(second);
    const [mover] = await eventsOf(db, person.id, "mover");
    expect(mover.details).toMatchObject({ teamId: { from: teamBefore, to: (await rowOf(db, person.id)).teamId } });
    expect((mover.outcome as { items: number }).items).toBe(1);
  });
});
