import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, identities, notifications } from "@/db/schema";
import { makeCaller, makeNhi, makePerson, testDb } from "@/lib/testing/harness";
import { attest } from "./attest";
import { escalateOverdueAttestations } from "./escalate";
import { listMyAttestations } from "./list";
import { attestationsOf, auditOf, openRequest, setDue } from "./test-fixtures";

// Escalation scans every NHI in the database. On a PostgreSQL database shared
// with the other test files, a clock set in 2001 keeps this file's overdue
// NHIs apart from theirs, which fall due around today.
const NOW = new Date("2001-06-01T12:00:00Z");
const DAY_MS = 86_400_000;
const later = (days: number) => new Date(NOW.getTime() + days * DAY_MS);

describe("escalating overdue attestations", () => {
  it("goes to the owner's manager after 14 days, to the admins after 28 or without a manager, exactly once", async () => {
    const db = await testDb();
    const manager = await makeCaller(db, ["owner"]);
    const owner = await makePerson(db, { managerId: manager.identityId });
    const noManager = await makePerson(db);
    const goneManager = await makePerson(db, { status: "offboarded" });
    const managerLeft = await makePerson(db, { managerId: goneManager.id });

    const tenDays = await makeNhi(db, { ownerId: owner.id });
    const twentyDays = await makeNhi(db, { ownerId: owner.id });
    const thirtyDays = await makeNhi(db, { ownerId: owner.id });
    const unmanaged = await makeNhi(db, { ownerId: noManager.id });
    const managerGone = await makeNhi(db, { ownerId: managerLeft.id });
    const ownerless = await makeNhi(db, { ownerId: null });
    const retired = await makeNhi(db, { ownerId: owner.id });
    const dueAt = new Map<string, Date>();
    for (const [nhi, days] of [
      [tenDays, -10],
      [twentyDays, -20],
      [thirtyDays, -30],
      [unmanaged, -20],
      [managerGone, -20],
      [ownerless, -20],
      [retired, -40],
    ] as const) {
      dueAt.set(nhi.id, (await setDue(db, nhi.id, days, NOW))!);
    }
    await db.update(identities).set({ status: "decommissioned" }).where(eq(identities.id, retired.id));

    const first = await escalateOverdueAttestations(db, NOW);
    expect(first).toEqual({ toManager: 1, toAdmins: 4, escalated: 5 });

    expect(await attestationsOf(db, tenDays.id)).toHaveLength(0);
    expect(await attestationsOf(db, retired.id)).toHaveLength(0);
    expect(await attestationsOf(db, twentyDays.id)).toMatchObject([
      { status: "escalated", escalationLevel: 1, escalatedToId: manager.identityId, ownerId: owner.id, dueAt: dueAt.get(twentyDays.id) },
    ]);
    for (const nhi of [thirtyDays, unmanaged, managerGone, ownerless]) {
      expect(await attestationsOf(db, nhi.id)).toMatchObject([{ status: "escalated", escalationLevel: 2, escalatedToId: null }]);
    }

    const [request] = await attestationsOf(db, twentyDays.id);
    const audit = await auditOf(db, request.id);
    expect(audit).toMatchObject([
      {
        action: "attestation.escalated",
        actorId: null,
        actorLabel: "system",
        after: { identityId: twentyDays.id, escalationLevel: 1, escalatedToId: manager.identityId, daysOverdue: 20 },
      },
    ]);

    const mine = await listMyAttestations(db, manager, { due: "all" });
    expect(mine.rows).toMatchObject([{ id: twentyDays.id, relation: "escalated", escalationLevel: 1 }]);
    expect(await db.select().from(notifications).where(eq(notifications.recipientId, manager.identityId))).toMatchObject([
      { kind: "attestation.escalated", title: "1 overdue NHI attestation escalated to you", link: "/attestations" },
    ]);

    const requests = (await Promise.all([twentyDays, thirtyDays, unmanaged, managerGone, ownerless].map((n) => attestationsOf(db, n.id)))).flat();
    const auditRows = async () =>
      db
        .select()
        .from(auditLog)
        .where(
          inArray(
            auditLog.entityId,
            requests.map((r) => r.id),
          ),
        );
    expect(await auditRows()).toHaveLength(5);

    const second = await escalateOverdueAttestations(db, NOW);
    expect(second).toEqual({ toManager: 0, toAdmins: 0, escalated: 0 });
    const again = (await Promise.all([twentyDays, thirtyDays, unmanaged, managerGone, ownerless].map((n) => attestationsOf(db, n.id)))).flat();
    expect(again).toEqual(requests);
    expect(await auditRows()).toHaveLength(5);
    expect(await db.select().from(notifications).where(eq(notifications.recipientId, manager.identityId))).toHaveLength(1);
  });

  it("climbs from the manager to the admins as the attestation ages, on the same request", async () => {
    const db = await testDb();
    const manager = await makePerson(db);
    const owner = await makePerson(db, { managerId: manager.id });
    const nhi = await makeNhi(db, { ownerId: owner.id });
    await setDue(db, nhi.id, -20, NOW);

    await escalateOverdueAttestations(db, NOW);
    const [atManager] = await attestationsOf(db, nhi.id);
    expect(atManager).toMatchObject({ escalationLevel: 1, escalatedToId: manager.id });

    await escalateOverdueAttestations(db, later(10));
    const rows = await attestationsOf(db, nhi.id);
    expect(rows).toMatchObject([{ id: atManager.id, status: "escalated", escalationLevel: 2, escalatedToId: null }]);
    expect(await auditOf(db, atManager.id)).toMatchObject([
      { after: { escalationLevel: 1 } },
      { before: { escalationLevel: 1, escalatedToId: manager.id }, after: { escalationLevel: 2, escalatedToId: null, daysOverdue: 30 } },
    ]);
    expect(await escalateOverdueAttestations(db, later(10))).toEqual({ toManager: 0, toAdmins: 0, escalated: 0 });
    expect(await auditOf(db, atManager.id)).toHaveLength(2);
  });

  it("escalates a pending request in place and stops once the NHI is attested", async () => {
    const db = await testDb();
    const manager = await makeCaller(db, ["owner"]);
    const owner = await makePerson(db, { managerId: manager.identityId });
    const nhi = await makeNhi(db, { ownerId: owner.id });
    const dueAt = await setDue(db, nhi.id, -15, later(20));
    const pending = await openRequest(db, nhi.id, { dueAt: dueAt! });

    await escalateOverdueAttestations(db, later(20));
    expect(await attestationsOf(db, nhi.id)).toMatchObject([{ id: pending.id, status: "escalated", escalationLevel: 1, escalatedToId: manager.identityId }]);
    expect(await auditOf(db, pending.id)).toMatchObject([{ before: { status: "pending", escalationLevel: 0 }, after: { escalationLevel: 1 } }]);

    await attest(db, manager, nhi.id, { stillNeeded: true, purpose: "Still syncs payroll" });
    expect(await escalateOverdueAttestations(db, later(40))).toMatchObject({ escalated: 0 });
    expect(await attestationsOf(db, nhi.id)).toMatchObject([{ id: pending.id, status: "attested", escalationLevel: 1 }]);
    expect((await listMyAttestations(db, manager, { due: "all" })).rows).toEqual([]);
  });
});
