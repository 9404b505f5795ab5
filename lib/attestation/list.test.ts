import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { identities } from "@/db/schema";
import { makeCaller, makeGrant, makeNhi, makePerson, testDb } from "@/lib/testing/harness";
import { attest } from "./attest";
import { listMyAttestations } from "./list";
import { openRequest, setDue } from "./test-fixtures";

const ids = (r: { rows: { id: string }[] }) => r.rows.map((x) => x.id);

describe("my non-human identities", () => {
  it("lists what the caller owns or backs up, most urgent first, with due, overdue and all filters", async () => {
    const db = await testDb();
    const me = await makeCaller(db, ["owner"]);
    const colleague = await makePerson(db);
    const overdue = await makeNhi(db, { ownerId: me.identityId });
    const dueSoon = await makeNhi(db, { ownerId: me.identityId, kind: "api_key" });
    const later = await makeNhi(db, { ownerId: me.identityId });
    const neverScheduled = await makeNhi(db, { ownerId: me.identityId, kind: "bot" });
    const backedUp = await makeNhi(db, { ownerId: colleague.id, backupOwnerId: me.identityId });
    const retired = await makeNhi(db, { ownerId: me.identityId });
    const theirs = await makeNhi(db, { ownerId: colleague.id });
    await setDue(db, overdue.id, -5);
    await setDue(db, dueSoon.id, 10);
    await setDue(db, later.id, 60);
    await setDue(db, neverScheduled.id, null);
    await setDue(db, backedUp.id, -1);
    await setDue(db, theirs.id, -1);
    await db.update(identities).set({ status: "decommissioned" }).where(eq(identities.id, retired.id));
    await makeGrant(db, overdue.id, { level: "admin" });
    await makeGrant(db, overdue.id);
    await makeGrant(db, overdue.id, { level: "privileged", type: "jit", expiresAt: new Date(Date.now() - 1000) });

    const due = await listMyAttestations(db, me, {});
    expect(ids(due)).toEqual([neverScheduled.id, overdue.id, backedUp.id, dueSoon.id]);
    expect(due.counts).toEqual({ due: 4, overdue: 2, all: 5 });
    expect(due.total).toBe(4);
    expect(due.rows[1]).toMatchObject({
      overdue: true,
      orphaned: false,
      activeGrants: 2,
      privilegedGrants: 1,
      relation: "owner",
      canAttest: true,
      escalationLevel: 0,
    });
    expect(due.rows[2]).toMatchObject({ relation: "backup", ownerName: colleague.displayName, overdue: true });
    expect(due.rows[3]).toMatchObject({ overdue: false, activeGrants: 0 });

    expect(ids(await listMyAttestations(db, me, { due: "overdue" }))).toEqual([overdue.id, backedUp.id]);
    const all = await listMyAttestations(db, me, { due: "all" });
    expect(ids(all)).toEqual([neverScheduled.id, overdue.id, backedUp.id, dueSoon.id, later.id]);
    expect(ids(await listMyAttestations(db, me, { due: "all", kind: "api_key" }))).toEqual([dueSoon.id]);
    expect(ids(await listMyAttestations(db, me, { due: "all", q: later.name.toUpperCase() }))).toEqual([later.id]);

    const page1 = await listMyAttestations(db, me, { due: "all", pageSize: "2" });
    const page3 = await listMyAttestations(db, me, { due: "all", pageSize: "2", page: "3" });
    expect(page1).toMatchObject({ total: 5, pageCount: 3 });
    expect(ids(page1)).toEqual([neverScheduled.id, overdue.id]);
    expect(ids(page3)).toEqual([later.id]);
  });

  it("shows an NHI whose owner left as orphaned, to its backup owner", async () => {
    const db = await testDb();
    const me = await makeCaller(db, ["owner"]);
    const leaver = await makePerson(db, { status: "offboarded" });
    const nhi = await makeNhi(db, { ownerId: leaver.id, backupOwnerId: me.identityId });
    const [row] = (await listMyAttestations(db, me, { due: "all" })).rows;
    expect(row).toMatchObject({ id: nhi.id, orphaned: true, ownerStatus: "offboarded", relation: "backup" });
  });

  it("leaves the due list once attested", async () => {
    const db = await testDb();
    const me = await makeCaller(db, ["owner"]);
    const nhi = await makeNhi(db, { ownerId: me.identityId });
    await setDue(db, nhi.id, -3);
    expect(ids(await listMyAttestations(db, me, {}))).toEqual([nhi.id]);
    await attest(db, me, nhi.id, { stillNeeded: true, purpose: "Still exports the ledger" });
    expect(ids(await listMyAttestations(db, me, {}))).toEqual([]);
    const [row] = (await listMyAttestations(db, me, { due: "all" })).rows;
    expect(row.lastAttestedAt).not.toBeNull();
    expect(row.overdue).toBe(false);
  });

  it("shows an escalated NHI to the person it was escalated to, and escalations to the admins to admins", async () => {
    const db = await testDb();
    const manager = await makeCaller(db, ["owner"]);
    const report = await makePerson(db, { managerId: manager.identityId });
    const toManager = await makeNhi(db, { ownerId: report.id });
    const toAdmins = await makeNhi(db, { ownerId: report.id });
    await setDue(db, toManager.id, -20);
    await setDue(db, toAdmins.id, -40);
    await openRequest(db, toManager.id, { level: 1, escalatedToId: manager.identityId });
    await openRequest(db, toAdmins.id, { level: 2 });

    const mine = await listMyAttestations(db, manager, { due: "overdue" });
    expect(ids(mine)).toEqual([toManager.id]);
    // The manager may attest it but cannot open the NHI's page: it is not theirs.
    expect(mine.rows[0]).toMatchObject({ relation: "escalated", escalationLevel: 1, escalatedToName: manager.name, canAttest: true });

    const admin = await makeCaller(db, ["admin"]);
    const adminList = await listMyAttestations(db, admin, { due: "overdue", q: toAdmins.name });
    expect(adminList.rows).toMatchObject([{ id: toAdmins.id, relation: "admin", escalationLevel: 2, canAttest: true }]);
    expect(ids(await listMyAttestations(db, admin, { due: "all", q: toManager.name }))).toEqual([]);

    const reviewer = await makeCaller(db, ["reviewer"]);
    expect(ids(await listMyAttestations(db, reviewer, { due: "all", q: toAdmins.name }))).toEqual([]);
    const stranger = await makeCaller(db, ["requester"]);
    expect((await listMyAttestations(db, stranger, { due: "all" })).total).toBe(0);
  });

  it("lets admins and auditors see every NHI with scope all; others are refused", async () => {
    const db = await testDb();
    const someone = await makePerson(db);
    const nhi = await makeNhi(db, { ownerId: someone.id });
    const admin = await makeCaller(db, ["admin"]);
    const auditor = await makeCaller(db, ["auditor"]);
    const owner = await makeCaller(db, ["owner", "reviewer"]);
    expect((await listMyAttestations(db, admin, { scope: "all", due: "all", q: nhi.name })).rows).toMatchObject([
      { id: nhi.id, relation: "admin", canAttest: true },
    ]);
    expect((await listMyAttestations(db, auditor, { scope: "all", due: "all", q: nhi.name })).rows).toMatchObject([
      { id: nhi.id, relation: null, canAttest: false },
    ]);
    await expect(listMyAttestations(db, owner, { scope: "all" })).rejects.toMatchObject({ status: 403 });
  });

  it("rejects bad filters with field-level messages", async () => {
    const db = await testDb();
    const me = await makeCaller(db, ["owner"]);
    await expect(listMyAttestations(db, me, { due: "soon", kind: "human", pageSize: "500", page: "0", scope: "everyone" })).rejects.toMatchObject({
      status: 422,
      fieldErrors: {
        due: ["Show due, overdue or all."],
        kind: [expect.stringContaining("Kind must be one of: service_account")],
        pageSize: ["At most 200 rows a page."],
        page: ["Page starts at 1."],
        scope: ["Scope is mine or all."],
      },
    });
  });
});
