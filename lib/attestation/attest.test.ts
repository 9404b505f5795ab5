import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accessEvents, auditLog, credentials, grants, remediations } from "@/db/schema";
import { getIdentityDetail } from "@/lib/identities/detail";
import { makeCaller, makeGrant, makeNhi, makePerson, testDb } from "@/lib/testing/harness";
import { attest } from "./attest";
import { ATTESTATION_INTERVAL_DAYS } from "./policy";
import { attestationsOf, auditOf, identityRow, makeCredential, openRequest, setDue } from "./test-fixtures";

const DAY_MS = 86_400_000;
const near = (a: Date | null | undefined, b: Date) => Math.abs((a?.getTime() ?? 0) - b.getTime()) < 60_000;

describe("attesting an NHI that is still needed", () => {
  it("confirms owners and purpose, schedules the next attestation, records the attestation and audits both", async () => {
    const db = await testDb();
    const owner = await makeCaller(db, ["owner"]);
    const backup = await makePerson(db);
    const nhi = await makeNhi(db, { ownerId: owner.identityId });
    const wasDue = await setDue(db, nhi.id, -3);

    const result = await attest(db, owner, nhi.id, {
      stillNeeded: true,
      purpose: "  Exports the ledger nightly  ",
      backupOwnerId: backup.id,
      comment: "Checked with finance",
    });
    expect(result).toMatchObject({ revokedGrants: 0, credentialsQueued: 0 });

    const row = await identityRow(db, nhi.id);
    expect(row).toMatchObject({ ownerId: owner.identityId, backupOwnerId: backup.id, purpose: "Exports the ledger nightly", status: "active" });
    expect(near(row.lastAttestedAt, new Date())).toBe(true);
    expect(near(row.nextAttestationAt, new Date(Date.now() + ATTESTATION_INTERVAL_DAYS * DAY_MS))).toBe(true);

    const [statement] = await attestationsOf(db, nhi.id);
    expect(statement).toMatchObject({
      status: "attested",
      stillNeeded: true,
      attestedById: owner.identityId,
      ownerId: owner.identityId,
      purpose: "Exports the ledger nightly",
      comment: "Checked with finance",
      escalationLevel: 0,
    });
    expect(statement.dueAt.getTime()).toBe(wasDue!.getTime());

    const identityAudit = await auditOf(db, nhi.id);
    expect(identityAudit).toHaveLength(1);
    expect(identityAudit[0]).toMatchObject({ action: "identity.attested", actorId: owner.identityId });
    expect(identityAudit[0].before).toMatchObject({ backupOwnerId: null, purpose: "Runs the nightly test job", lastAttestedAt: null });
    expect(identityAudit[0].after).toMatchObject({ backupOwnerId: backup.id, purpose: "Exports the ledger nightly", attestationId: statement.id });
    expect(await auditOf(db, statement.id)).toMatchObject([{ action: "attestation.recorded", after: { status: "attested", stillNeeded: true } }]);
  });

  it("lets the backup owner hand the NHI to a new owner, and an admin attest any NHI", async () => {
    const db = await testDb();
    const backup = await makeCaller(db, ["owner"]);
    const leaver = await makePerson(db, { status: "offboarded" });
    const successor = await makePerson(db);
    const nhi = await makeNhi(db, { ownerId: leaver.id, backupOwnerId: backup.identityId });

    await attest(db, backup, nhi.id, { stillNeeded: "yes", purpose: "Deploys the billing service", ownerId: successor.id });
    expect(await identityRow(db, nhi.id)).toMatchObject({ ownerId: successor.id, backupOwnerId: backup.identityId });

    const admin = await makeCaller(db, ["admin"]);
    await attest(db, admin, nhi.id, { stillNeeded: true, purpose: "Deploys the billing service", backupOwnerId: null });
    expect(await identityRow(db, nhi.id)).toMatchObject({ ownerId: successor.id, backupOwnerId: null });
    expect((await attestationsOf(db, nhi.id)).map((a) => a.attestedById).sort()).toEqual([backup.identityId, admin.identityId].sort());
  });

  it("lets the person it was escalated to attest, completing the escalated request in place", async () => {
    const db = await testDb();
    const manager = await makeCaller(db, ["owner"]);
    const report = await makePerson(db, { managerId: manager.identityId });
    const nhi = await makeNhi(db, { ownerId: report.id });
    const dueAt = await setDue(db, nhi.id, -20);
    const request = await openRequest(db, nhi.id, { level: 1, escalatedToId: manager.identityId, dueAt: dueAt! });

    await attest(db, manager, nhi.id, { stillNeeded: true, purpose: "Still runs the payroll sync" });
    const rows = await attestationsOf(db, nhi.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: request.id,
      status: "attested",
      escalationLevel: 1,
      escalatedToId: manager.identityId,
      attestedById: manager.identityId,
    });
    expect(await auditOf(db, request.id)).toMatchObject([{ action: "attestation.recorded", before: { status: "escalated", escalationLevel: 1 } }]);

    // The request is closed: the manager's standing to attest ended with it.
    await expect(attest(db, manager, nhi.id, { stillNeeded: true, purpose: "Again" })).rejects.toMatchObject({ status: 404 });
  });
});

describe("who may attest", () => {
  it("answers 404 to those who cannot see the NHI and 403 to those who can; nothing changes", async () => {
    const db = await testDb();
    const owner = await makePerson(db);
    const nhi = await makeNhi(db, { ownerId: owner.id });
    const requester = await makeCaller(db, ["requester"]);
    const otherOwner = await makeCaller(db, ["owner"]);
    await makeNhi(db, { ownerId: otherOwner.identityId });
    const ownersManager = await makeCaller(db, ["owner"]);
    const reviewer = await makeCaller(db, ["reviewer"]);
    const auditor = await makeCaller(db, ["auditor"]);
    const input = { stillNeeded: false, purpose: "Hijacked", comment: "Turning it off" };

    await expect(attest(db, requester, nhi.id, input)).rejects.toMatchObject({ status: 404 });
    await expect(attest(db, otherOwner, nhi.id, input)).rejects.toMatchObject({ status: 404 });
    await expect(attest(db, ownersManager, nhi.id, input)).rejects.toMatchObject({ status: 404 });
    await expect(attest(db, reviewer, nhi.id, input)).rejects.toMatchObject({ status: 403, message: expect.stringContaining("owner") });
    await expect(attest(db, auditor, nhi.id, input)).rejects.toMatchObject({ status: 403 });
    await expect(attest(db, reviewer, "not-a-uuid", input)).rejects.toMatchObject({ status: 404 });
    await expect(attest(db, reviewer, crypto.randomUUID(), input)).rejects.toMatchObject({ status: 404 });

    expect(await identityRow(db, nhi.id)).toMatchObject({ status: "active", purpose: "Runs the nightly test job" });
    expect(await attestationsOf(db, nhi.id)).toHaveLength(0);
    expect(await auditOf(db, nhi.id)).toHaveLength(0);
  });

  it("refuses people with 422 and an NHI already decommissioned with 409", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const person = await makePerson(db);
    await expect(attest(db, admin, person.id, { stillNeeded: true, purpose: "A person" })).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining("Only non-human identities are attested"),
    });
    const requester = await makeCaller(db, ["requester"]);
    await expect(attest(db, requester, person.id, { stillNeeded: true, purpose: "A person" })).rejects.toMatchObject({ status: 404 });

    const owner = await makeCaller(db, ["owner"]);
    const nhi = await makeNhi(db, { ownerId: owner.identityId });
    await attest(db, owner, nhi.id, { stillNeeded: false, purpose: "Old batch job", comment: "Replaced by the new pipeline" });
    await expect(attest(db, owner, nhi.id, { stillNeeded: true, purpose: "Old batch job" })).rejects.toMatchObject({ status: 409 });
    await expect(attest(db, admin, nhi.id, { stillNeeded: false, purpose: "Old batch job", comment: "again" })).rejects.toMatchObject({ status: 409 });
    expect(await attestationsOf(db, nhi.id)).toHaveLength(1);
  });
});

describe("attestation input", () => {
  it("rejects bad input with field-level messages and changes nothing", async () => {
    const db = await testDb();
    const owner = await makeCaller(db, ["owner"]);
    const backup = await makePerson(db);
    const leaver = await makePerson(db, { status: "offboarded" });
    const nhi = await makeNhi(db, { ownerId: owner.identityId, backupOwnerId: backup.id });
    const otherNhi = await makeNhi(db, { ownerId: owner.identityId });

    await expect(attest(db, owner, nhi.id, { purpose: "x", ownerId: "nobody", extra: 1 })).rejects.toMatchObject({
      status: 422,
      fieldErrors: {
        stillNeeded: ["Answer whether this identity is still needed: yes or no."],
        purpose: ["Describe the purpose in at least 3 characters."],
        ownerId: ["Owner must be a person's id."],
        _: [expect.stringContaining("extra")],
      },
    });
    await expect(attest(db, owner, nhi.id, { stillNeeded: true })).rejects.toMatchObject({ fieldErrors: { purpose: ["Describe what this identity is for."] } });
    await expect(attest(db, owner, nhi.id, { stillNeeded: true, purpose: "p".repeat(501) })).rejects.toMatchObject({
      fieldErrors: { purpose: ["Keep the purpose under 500 characters."] },
    });
    await expect(attest(db, owner, nhi.id, { stillNeeded: false, purpose: "Nightly job" })).rejects.toMatchObject({
      fieldErrors: { comment: [expect.stringContaining("Say why")] },
    });
    await expect(attest(db, owner, nhi.id, { stillNeeded: "no", purpose: "Nightly job", comment: "  " })).rejects.toMatchObject({
      fieldErrors: { comment: [expect.stringContaining("Say why")] },
    });
    await expect(attest(db, owner, nhi.id, { stillNeeded: true, purpose: "Nightly job", ownerId: backup.id })).rejects.toMatchObject({
      fieldErrors: { backupOwnerId: ["The backup owner must be someone other than the owner."] },
    });
    await expect(attest(db, owner, nhi.id, { stillNeeded: true, purpose: "Nightly job", ownerId: leaver.id })).rejects.toMatchObject({
      fieldErrors: { ownerId: ["Choose an active person from the directory."] },
    });
    await expect(attest(db, owner, nhi.id, { stillNeeded: true, purpose: "Nightly job", ownerId: otherNhi.id })).rejects.toMatchObject({
      fieldErrors: { ownerId: ["Choose an active person from the directory."] },
    });
    await expect(attest(db, owner, nhi.id, { stillNeeded: true, purpose: "Nightly job", ownerId: "" })).rejects.toMatchObject({
      fieldErrors: { ownerId: ["Every non-human identity needs an accountable owner."] },
    });
    await expect(attest(db, owner, nhi.id, { stillNeeded: true, purpose: "Nightly job", backupOwnerId: leaver.id })).rejects.toMatchObject({
      fieldErrors: { backupOwnerId: [expect.stringContaining("Choose an active person")] },
    });

    expect(await identityRow(db, nhi.id)).toMatchObject({
      ownerId: owner.identityId,
      backupOwnerId: backup.id,
      purpose: "Runs the nightly test job",
      lastAttestedAt: null,
    });
    expect(await attestationsOf(db, nhi.id)).toHaveLength(0);
    expect(await auditOf(db, nhi.id)).toHaveLength(0);
  });

  it("refuses to confirm an owner who has left", async () => {
    const db = await testDb();
    const backup = await makeCaller(db, ["owner"]);
    const leaver = await makePerson(db, { status: "offboarded" });
    const nhi = await makeNhi(db, { ownerId: leaver.id, backupOwnerId: backup.identityId });
    await expect(attest(db, backup, nhi.id, { stillNeeded: true, purpose: "Nightly job" })).rejects.toMatchObject({
      fieldErrors: { ownerId: ["Choose an active person from the directory."] },
    });
  });
});

describe("answering not needed", () => {
  it("decommissions the NHI: every live grant ends through the revocation path and its credentials get revocation requests", async () => {
    const db = await testDb();
    const owner = await makeCaller(db, ["owner"]);
    const admin = await makeCaller(db, ["admin"]);
    const nhi = await makeNhi(db, { ownerId: owner.identityId });
    await setDue(db, nhi.id, -2);
    const standing = (await makeGrant(db, nhi.id, { level: "admin" })).grant;
    const jit = (await makeGrant(db, nhi.id, { level: "privileged", type: "jit", expiresAt: new Date(Date.now() + 3_600_000) })).grant;
    const eligible = (await makeGrant(db, nhi.id, { type: "eligible" })).grant;
    const expired = (await makeGrant(db, nhi.id, { type: "jit", expiresAt: new Date(Date.now() - 60_000) })).grant;
    const revokedEarlier = (await makeGrant(db, nhi.id, { revokedAt: new Date(Date.now() - DAY_MS) })).grant;
    const key1 = await makeCredential(db, nhi.id);
    const key2 = await makeCredential(db, nhi.id);
    const oldKey = await makeCredential(db, nhi.id, "revoked");
    expect((await getIdentityDetail(db, admin, nhi.id)).grants.filter((g) => g.active)).toHaveLength(2);

    const result = await attest(db, owner, nhi.id, { stillNeeded: "no", purpose: "Old export job", comment: "Replaced by the streaming pipeline" });
    expect(result).toMatchObject({ revokedGrants: 3, credentialsQueued: 2 });
    const attestationId = result.attestation.id;

    expect(await identityRow(db, nhi.id)).toMatchObject({ status: "decommissioned", nextAttestationAt: null, purpose: "Old export job" });
    const detail = await getIdentityDetail(db, admin, nhi.id);
    expect(detail.grants.every((g) => !g.active)).toBe(true);
    const live = [standing.id, jit.id, eligible.id];
    const ended = await db.select().from(grants).where(inArray(grants.id, live));
    expect(ended.every((g) => g.revokedAt && g.revokedById === owner.identityId && g.revokeReason?.includes("Replaced by the streaming pipeline"))).toBe(true);
    expect((await db.select().from(grants).where(eq(grants.id, expired.id)))[0].revokedAt).toBeNull();
    expect((await db.select().from(grants).where(eq(grants.id, revokedEarlier.id)))[0].revokedById).toBeNull();

    const tasks = await db.select().from(remediations).where(eq(remediations.identityId, nhi.id));
    expect(tasks.map((t) => t.grantId).sort()).toEqual([...live].sort());
    expect(tasks.every((t) => t.source === "attestation" && t.sourceRef === attestationId && t.status === "pending")).toBe(true);

    const events = await db
      .select()
      .from(accessEvents)
      .where(inArray(accessEvents.grantId, [...live, expired.id]));
    expect(events.map((e) => e.type)).toEqual(["grant.revoked", "grant.revoked", "grant.revoked"]);
    const credentialEvents = (await db.select().from(accessEvents).where(eq(accessEvents.type, "credential.revocation_requested"))).filter(
      (e) => (e.payload as { identityId: string }).identityId === nhi.id,
    );
    expect(credentialEvents.map((e) => (e.payload as { credentialId: string }).credentialId).sort()).toEqual([key1.id, key2.id].sort());
    expect(credentialEvents.every((e) => (e.payload as { sourceRef: string }).sourceRef === attestationId)).toBe(true);
    // Revocation is requested, not assumed: the credential stays active until the target system confirms.
    expect((await db.select().from(credentials).where(eq(credentials.identityId, nhi.id))).map((c) => c.status).sort()).toEqual([
      "active",
      "active",
      "revoked",
    ]);

    expect(await attestationsOf(db, nhi.id)).toMatchObject([
      { id: attestationId, status: "decommissioned", stillNeeded: false, comment: "Replaced by the streaming pipeline" },
    ]);
    const [decommissioned] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, nhi.id), eq(auditLog.action, "identity.decommissioned")));
    expect(decommissioned.actorId).toBe(owner.identityId);
    expect(decommissioned.before).toMatchObject({ status: "active" });
    expect(decommissioned.after).toMatchObject({ status: "decommissioned", attestationId });
    const after = decommissioned.after as { revokedGrantIds: string[]; credentialIdsToRevoke: string[] };
    expect(after.revokedGrantIds.sort()).toEqual([...live].sort());
    expect(after.credentialIdsToRevoke.sort()).toEqual([key1.id, key2.id].sort());
    expect(
      await db
        .select()
        .from(auditLog)
        .where(and(inArray(auditLog.entityId, live), eq(auditLog.action, "grant.revoked"))),
    ).toHaveLength(3);
    expect(await auditOf(db, key1.id)).toMatchObject([{ action: "credential.revocation_requested" }]);
    expect(await auditOf(db, oldKey.id)).toHaveLength(0);
    expect(await auditOf(db, attestationId)).toMatchObject([{ action: "attestation.recorded", after: { status: "decommissioned", stillNeeded: false } }]);
  });

  it("keeps the accountable owner on record and ignores owner changes sent with a decommission", async () => {
    const db = await testDb();
    const owner = await makeCaller(db, ["owner"]);
    const other = await makePerson(db);
    const nhi = await makeNhi(db, { ownerId: owner.identityId });
    await attest(db, owner, nhi.id, { stillNeeded: false, purpose: "Legacy job", comment: "Not used since the migration", ownerId: other.id });
    expect(await identityRow(db, nhi.id)).toMatchObject({ status: "decommissioned", ownerId: owner.identityId });
    expect(await attestationsOf(db, nhi.id)).toMatchObject([{ ownerId: owner.identityId }]);
  });
});
