import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { attestations, identities } from "@/db/schema";
import { makeCaller, makeGrant, makeNhi, makePerson, makeSystem, testDb } from "@/lib/testing/harness";
import { listMyAttestations } from "./list";
import { listOrphans, reassignOwner } from "./orphans";
import { auditOf, identityRow, openRequest, setDue } from "./test-fixtures";

const ids = (r: { rows: { id: string }[] }) => r.rows.map((x) => x.id);

describe("orphaned NHIs", () => {
  it("lists active NHIs without an active owner, privileged first, with the former owner, for admins and auditors", async () => {
    const db = await testDb();
    const system = await makeSystem(db);
    const active = await makePerson(db);
    const leaver = await makePerson(db, { status: "offboarded" });
    const disabled = await makePerson(db, { status: "disabled" });
    const ownerless = await makeNhi(db, { ownerId: null, systemId: system.id });
    const leftBehind = await makeNhi(db, { ownerId: leaver.id, backupOwnerId: active.id, systemId: system.id, kind: "api_key" });
    const privileged = await makeNhi(db, { ownerId: disabled.id, systemId: system.id });
    await makeNhi(db, { ownerId: active.id, systemId: system.id });
    const retired = await makeNhi(db, { ownerId: leaver.id, systemId: system.id });
    await db.update(identities).set({ status: "decommissioned" }).where(eq(identities.id, retired.id));
    await makeGrant(db, privileged.id, { level: "admin" });
    await makeGrant(db, privileged.id);
    await makeGrant(db, leftBehind.id);

    const admin = await makeCaller(db, ["admin"]);
    const list = await listOrphans(db, admin, { systemId: system.id });
    expect(list.total).toBe(3);
    expect(ids(list)[0]).toBe(privileged.id);
    expect(ids(list).slice(1).sort()).toEqual([ownerless.id, leftBehind.id].sort());
    const byId = new Map(list.rows.map((r) => [r.id, r]));
    expect(byId.get(privileged.id)).toMatchObject({
      formerOwnerName: disabled.displayName,
      formerOwnerStatus: "disabled",
      activeGrants: 2,
      privilegedGrants: 1,
      canReassign: true,
    });
    expect(byId.get(leftBehind.id)).toMatchObject({
      formerOwnerStatus: "offboarded",
      backupOwnerName: active.displayName,
      activeGrants: 1,
      privilegedGrants: 0,
    });
    expect(byId.get(ownerless.id)).toMatchObject({ formerOwnerId: null, formerOwnerName: null });
    expect(ids(await listOrphans(db, admin, { systemId: system.id, kind: "api_key" }))).toEqual([leftBehind.id]);
    expect(ids(await listOrphans(db, admin, { systemId: system.id, q: leaver.displayName }))).toEqual([leftBehind.id]);
    expect(await listOrphans(db, admin, { systemId: system.id, pageSize: 2, page: 2 })).toMatchObject({ pageCount: 2, rows: [expect.anything()] });

    const auditor = await makeCaller(db, ["auditor"]);
    expect((await listOrphans(db, auditor, { systemId: system.id })).rows.every((r) => !r.canReassign)).toBe(true);
    for (const roles of [["owner"], ["reviewer", "approver"], ["requester"]] as const) {
      const caller = await makeCaller(db, [...roles]);
      await expect(listOrphans(db, caller, {})).rejects.toMatchObject({ status: 403 });
    }
    await expect(listOrphans(db, admin, { systemId: "x", pageSize: 0 })).rejects.toMatchObject({
      status: 422,
      fieldErrors: { systemId: ["System must be a system id."], pageSize: ["At least 1 row a page."] },
    });
  });
});

describe("reassigning an orphan", () => {
  it("gives it a new owner whose attestation is due now, audited, and it leaves the orphan list", async () => {
    const db = await testDb();
    const system = await makeSystem(db);
    const leaver = await makePerson(db, { status: "offboarded" });
    const successor = await makeCaller(db, ["owner"]);
    const backup = await makePerson(db);
    const nhi = await makeNhi(db, { ownerId: leaver.id, systemId: system.id });
    await setDue(db, nhi.id, 40);
    const admin = await makeCaller(db, ["admin"]);

    await reassignOwner(db, admin, nhi.id, { ownerId: successor.identityId, backupOwnerId: backup.id });
    const row = await identityRow(db, nhi.id);
    expect(row).toMatchObject({ ownerId: successor.identityId, backupOwnerId: backup.id });
    expect(Math.abs(row.nextAttestationAt!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(await auditOf(db, nhi.id)).toMatchObject([
      {
        action: "identity.owner_reassigned",
        actorId: admin.identityId,
        before: { ownerId: leaver.id, backupOwnerId: null, formerOwnerStatus: "offboarded" },
        after: { ownerId: successor.identityId, backupOwnerId: backup.id },
      },
    ]);
    expect(ids(await listOrphans(db, admin, { systemId: system.id }))).toEqual([]);
    expect(ids(await listMyAttestations(db, successor, {}))).toEqual([nhi.id]);
  });

  it("moves an escalated request to the new owner, back at the first level", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const successor = await makePerson(db);
    const nhi = await makeNhi(db, { ownerId: null });
    const request = await openRequest(db, nhi.id, { level: 2, dueAt: new Date(Date.now() - 40 * 86_400_000) });
    await reassignOwner(db, admin, nhi.id, { ownerId: successor.id });
    const [row] = await db.select().from(attestations).where(eq(attestations.id, request.id));
    expect(row).toMatchObject({ status: "pending", escalationLevel: 0, escalatedToId: null, ownerId: successor.id });
    expect(await auditOf(db, request.id)).toMatchObject([{ action: "attestation.reassigned", before: { escalationLevel: 2 }, after: { escalationLevel: 0 } }]);
  });

  it("lets the backup owner take over their orphan; nobody else but admins", async () => {
    const db = await testDb();
    const leaver = await makePerson(db, { status: "offboarded" });
    const backup = await makeCaller(db, ["owner"]);
    const nhi = await makeNhi(db, { ownerId: leaver.id, backupOwnerId: backup.identityId });
    const requester = await makeCaller(db, ["requester"]);
    const otherOwner = await makeCaller(db, ["owner"]);
    const reviewer = await makeCaller(db, ["reviewer"]);
    const auditor = await makeCaller(db, ["auditor"]);
    const input = { ownerId: requester.identityId };

    await expect(reassignOwner(db, requester, nhi.id, input)).rejects.toMatchObject({ status: 404 });
    await expect(reassignOwner(db, otherOwner, nhi.id, input)).rejects.toMatchObject({ status: 404 });
    await expect(reassignOwner(db, reviewer, nhi.id, input)).rejects.toMatchObject({ status: 403 });
    await expect(reassignOwner(db, auditor, nhi.id, input)).rejects.toMatchObject({ status: 403 });
    await expect(reassignOwner(db, reviewer, "nope", input)).rejects.toMatchObject({ status: 404 });
    expect(await identityRow(db, nhi.id)).toMatchObject({ ownerId: leaver.id });
    expect(await auditOf(db, nhi.id)).toHaveLength(0);

    await expect(reassignOwner(db, backup, nhi.id, { ownerId: backup.identityId })).rejects.toMatchObject({
      fieldErrors: { backupOwnerId: ["The backup owner must be someone other than the owner."] },
    });
    await reassignOwner(db, backup, nhi.id, { ownerId: backup.identityId, backupOwnerId: "" });
    expect(await identityRow(db, nhi.id)).toMatchObject({ ownerId: backup.identityId, backupOwnerId: null });
  });

  it("refuses NHIs that are not orphaned, people, decommissioned NHIs and bad owners; nothing changes", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const owner = await makePerson(db);
    const leaver = await makePerson(db, { status: "offboarded" });
    const backup = await makePerson(db);
    const owned = await makeNhi(db, { ownerId: owner.id });
    const orphan = await makeNhi(db, { ownerId: leaver.id, backupOwnerId: backup.id });
    const retired = await makeNhi(db, { ownerId: leaver.id });
    await db.update(identities).set({ status: "decommissioned" }).where(eq(identities.id, retired.id));

    await expect(reassignOwner(db, admin, owned.id, { ownerId: backup.id })).rejects.toMatchObject({
      status: 409,
      message: expect.stringContaining("not orphaned"),
    });
    await expect(reassignOwner(db, admin, owner.id, { ownerId: backup.id })).rejects.toMatchObject({ status: 422 });
    await expect(reassignOwner(db, admin, retired.id, { ownerId: backup.id })).rejects.toMatchObject({
      status: 409,
      message: expect.stringContaining("decommissioned"),
    });
    await expect(reassignOwner(db, admin, orphan.id, {})).rejects.toMatchObject({ fieldErrors: { ownerId: ["Choose the new owner from the directory."] } });
    await expect(reassignOwner(db, admin, orphan.id, { ownerId: leaver.id })).rejects.toMatchObject({
      fieldErrors: { ownerId: ["Choose an active person from the directory."] },
    });
    await expect(reassignOwner(db, admin, orphan.id, { ownerId: backup.id })).rejects.toMatchObject({
      fieldErrors: { backupOwnerId: ["The backup owner must be someone other than the owner."] },
    });
    await expect(reassignOwner(db, admin, orphan.id, { ownerId: owner.id, nextAttestationAt: "2030-01-01" })).rejects.toMatchObject({ status: 422 });
    for (const id of [owned.id, orphan.id, retired.id]) expect(await auditOf(db, id)).toHaveLength(0);
    expect(await identityRow(db, orphan.id)).toMatchObject({ ownerId: leaver.id, backupOwnerId: backup.id });
  });
});
