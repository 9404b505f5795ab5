import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { attestations, auditLog, identities } from "@/db/schema";
import { makeCaller, makeGrant, makeNhi, makePerson, makeSystem, testDb, uniq } from "@/lib/testing/harness";
import { getIdentityDetail } from "./detail";
import { listIdentities } from "./list";
import { updateIdentity } from "./update";

describe("identity inventory", () => {
  it("filters by owner, kind, orphaned and privileged, and paginates", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const owner = await makePerson(db);
    const leaver = await makePerson(db, { status: "offboarded" });
    const system = await makeSystem(db);
    const a = await makeNhi(db, { ownerId: owner.id, systemId: system.id });
    const b = await makeNhi(db, { ownerId: owner.id, systemId: system.id, kind: "api_key" });
    const orphan = await makeNhi(db, { ownerId: leaver.id, systemId: system.id });
    const ownerless = await makeNhi(db, { ownerId: null, systemId: system.id, kind: "ai_agent" });
    await makeGrant(db, a.id, { level: "admin" });
    await makeGrant(db, b.id, { level: "admin", expiresAt: new Date(Date.now() - 1000) }); // expired: not privileged now

    const bySystem = await listIdentities(db, admin, { systemId: system.id });
    expect(bySystem.total).toBe(4);
    const ids = (r: { rows: { id: string }[] }) => r.rows.map((x) => x.id).sort();
    expect(ids(await listIdentities(db, admin, { ownerId: owner.id }))).toEqual([a.id, b.id].sort());
    expect(ids(await listIdentities(db, admin, { systemId: system.id, kind: "api_key" }))).toEqual([b.id]);
    expect(ids(await listIdentities(db, admin, { systemId: system.id, orphaned: "true" }))).toEqual([orphan.id, ownerless.id].sort());
    expect(ids(await listIdentities(db, admin, { systemId: system.id, orphaned: "false" }))).toEqual([a.id, b.id].sort());
    expect(ids(await listIdentities(db, admin, { systemId: system.id, privileged: "true" }))).toEqual([a.id]);
    const withGrants = await listIdentities(db, admin, { systemId: system.id, privileged: "true" });
    expect(withGrants.rows[0]).toMatchObject({ privilegedGrants: 1, orphaned: false });
    expect(ids(await listIdentities(db, admin, { q: a.name.toUpperCase() }))).toEqual([a.id]);

    const page1 = await listIdentities(db, admin, { systemId: system.id, pageSize: "3", page: "1" });
    const page2 = await listIdentities(db, admin, { systemId: system.id, pageSize: "3", page: "2" });
    expect(page1.rows).toHaveLength(3);
    expect(page2.rows).toHaveLength(1);
    expect(page1.pageCount).toBe(2);
    expect(new Set([...ids(page1), ...ids(page2)]).size).toBe(4);
  });

  it("treats search wildcards literally", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const result = await listIdentities(db, admin, { q: `%${uniq("nothing")}_` });
    expect(result.total).toBe(0);
  });

  it("rejects bad filters with field-level messages", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    await expect(listIdentities(db, admin, { kind: "robot", pageSize: "1000", orphaned: "maybe" })).rejects.toMatchObject({
      status: 422,
      fieldErrors: {
        kind: [expect.stringContaining("Kind must be one of")],
        pageSize: ["At most 200 rows a page."],
        orphaned: ["Use true or false."],
      },
    });
  });

  it("shows a person only themselves, their reports and what they own; anything else is not found", async () => {
    const db = await testDb();
    const me = await makeCaller(db, ["requester"]);
    const report = await makePerson(db, { managerId: me.identityId });
    const mine = await makeNhi(db, { ownerId: me.identityId });
    const backedUp = await makeNhi(db, { ownerId: report.id, backupOwnerId: me.identityId });
    const stranger = await makePerson(db);
    const theirs = await makeNhi(db, { ownerId: stranger.id });

    const visible = await listIdentities(db, me, { pageSize: 200 });
    expect(visible.rows.map((r) => r.id).sort()).toEqual([me.identityId, report.id, mine.id, backedUp.id].sort());
    // "Owner" means the owner: what someone only backs up is found by its backup owner.
    expect((await listIdentities(db, me, { ownerId: me.identityId })).rows.map((r) => r.id)).toEqual([mine.id]);
    expect((await listIdentities(db, me, { backupOwnerId: me.identityId })).rows.map((r) => r.id)).toEqual([backedUp.id]);
    await expect(listIdentities(db, me, { backupOwnerId: "me" })).rejects.toMatchObject({ status: 422 });
    await expect(getIdentityDetail(db, me, theirs.id)).rejects.toMatchObject({ status: 404 });
    await expect(getIdentityDetail(db, me, stranger.id)).rejects.toMatchObject({ status: 404 });
    await expect(getIdentityDetail(db, me, "not-a-uuid")).rejects.toMatchObject({ status: 404 });
    const detail = await getIdentityDetail(db, me, mine.id);
    expect(detail.canEdit).toEqual(["purpose", "ownerId", "backupOwnerId"]);

    const auditor = await makeCaller(db, ["auditor"]);
    const seen = await getIdentityDetail(db, auditor, theirs.id);
    expect(seen.canEdit).toEqual([]);
  });

  it("shows an NHI to the person its overdue attestation was escalated to, while it is open", async () => {
    const db = await testDb();
    const manager = await makeCaller(db, ["requester"]);
    const nhi = await makeNhi(db, { ownerId: (await makePerson(db)).id });
    await expect(getIdentityDetail(db, manager, nhi.id)).rejects.toMatchObject({ status: 404 });
    const [open] = await db
      .insert(attestations)
      .values({ identityId: nhi.id, status: "escalated", dueAt: new Date(), escalationLevel: 1, escalatedToId: manager.identityId })
      .returning();
    expect((await getIdentityDetail(db, manager, nhi.id)).identity.id).toBe(nhi.id);
    await db.update(attestations).set({ status: "attested" }).where(eq(attestations.id, open.id));
    await expect(getIdentityDetail(db, manager, nhi.id)).rejects.toMatchObject({ status: 404 });
  });

  it("lists grants with active state computed from the window", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const nhi = await makeNhi(db, { ownerId: admin.identityId });
    await makeGrant(db, nhi.id, { level: "privileged", type: "jit", expiresAt: new Date(Date.now() + 3_600_000) });
    await makeGrant(db, nhi.id, { level: "privileged", type: "jit", expiresAt: new Date(Date.now() - 1) });
    await makeGrant(db, nhi.id, { revokedAt: new Date() });
    const detail = await getIdentityDetail(db, admin, nhi.id);
    expect(detail.grants.map((g) => g.active).sort()).toEqual([false, false, true]);
  });
});

describe("updating an identity", () => {
  it("lets the owner hand over an NHI, records before and after in the audit log", async () => {
    const db = await testDb();
    const owner = await makeCaller(db, ["owner"]);
    const next = await makePerson(db);
    const nhi = await makeNhi(db, { ownerId: owner.identityId });
    await updateIdentity(db, owner, nhi.id, { ownerId: next.id, backupOwnerId: owner.identityId, purpose: "Ships nightly ledger exports" });
    const [row] = await db.select().from(identities).where(eq(identities.id, nhi.id));
    expect(row).toMatchObject({ ownerId: next.id, backupOwnerId: owner.identityId, purpose: "Ships nightly ledger exports" });
    const [audit] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, nhi.id), eq(auditLog.action, "identity.updated")));
    expect(audit.actorId).toBe(owner.identityId);
    expect(audit.before).toMatchObject({ ownerId: owner.identityId, backupOwnerId: null });
    expect(audit.after).toMatchObject({ ownerId: next.id, backupOwnerId: owner.identityId });
  });

  it("refuses callers without rights, and hides what they cannot see", async () => {
    const db = await testDb();
    const owner = await makePerson(db);
    const nhi = await makeNhi(db, { ownerId: owner.id });
    const requester = await makeCaller(db, ["requester"]);
    const reviewer = await makeCaller(db, ["reviewer", "approver"]);
    await expect(updateIdentity(db, requester, nhi.id, { purpose: "hijacked" })).rejects.toMatchObject({ status: 404 });
    await expect(updateIdentity(db, reviewer, nhi.id, { purpose: "hijacked" })).rejects.toMatchObject({ status: 403 });
    const ownerCaller = (await import("@/lib/caller")).resolveCaller;
    const asOwner = (await ownerCaller(db, owner.id))!;
    await expect(updateIdentity(db, asOwner, nhi.id, { nextAttestationAt: "2030-01-01" })).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining("nextAttestationAt"),
    });
    const [row] = await db.select().from(identities).where(eq(identities.id, nhi.id));
    expect(row.purpose).toBe("Runs the nightly test job");
    expect(await db.select().from(auditLog).where(eq(auditLog.entityId, nhi.id))).toHaveLength(0);
  });

  it("validates owners and fields, changing nothing on failure", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const owner = await makePerson(db);
    const leaver = await makePerson(db, { status: "offboarded" });
    const nhi = await makeNhi(db, { ownerId: owner.id });
    await expect(updateIdentity(db, admin, nhi.id, { ownerId: "" })).rejects.toMatchObject({
      fieldErrors: { ownerId: ["Every non-human identity needs an accountable owner."] },
    });
    await expect(updateIdentity(db, admin, nhi.id, { backupOwnerId: owner.id })).rejects.toMatchObject({
      fieldErrors: { backupOwnerId: ["The backup owner must be someone other than the owner."] },
    });
    await expect(updateIdentity(db, admin, nhi.id, { ownerId: leaver.id })).rejects.toMatchObject({
      fieldErrors: { ownerId: ["Choose an active person from the directory."] },
    });
    await expect(updateIdentity(db, admin, nhi.id, { purpose: "x", nextAttestationAt: "soon" })).rejects.toMatchObject({
      fieldErrors: {
        purpose: [expect.stringContaining("at least 3")],
        nextAttestationAt: [expect.stringMatching(/^Next attestation must be a date, as YYYY-MM-DD/)],
      },
    });
    await expect(updateIdentity(db, admin, nhi.id, { status: "decommissioned" })).rejects.toMatchObject({ status: 422 });
    const [row] = await db.select().from(identities).where(eq(identities.id, nhi.id));
    expect(row.ownerId).toBe(owner.id);
    expect(await db.select().from(auditLog).where(eq(auditLog.entityId, nhi.id))).toHaveLength(0);

    await updateIdentity(db, admin, nhi.id, { nextAttestationAt: "2030-01-01" });
    await updateIdentity(db, admin, nhi.id, { nextAttestationAt: "2030-01-01" }); // no change, no second audit row
    expect(await db.select().from(auditLog).where(eq(auditLog.entityId, nhi.id))).toHaveLength(1);
  });
});
