import { describe, expect, it } from "vitest";
import { inventoryTotals } from "@/lib/reconciliation/inventory-totals";
import { runReconciliation } from "@/lib/reconciliation/run";
import { makeCaller, makeGrant, makeNhi, makePerson } from "@/lib/testing/harness";
import { isolatedForFile } from "@/lib/testing/isolated";
import { inventorySummary } from "./summary";

// Whether a snapshot exists is the database's: one of this file's own.
const testDb = isolatedForFile();

describe("the inventory summary", () => {
  it("counts now before the first reconciliation, then says what the latest snapshot counted, the same way", async () => {
    const db = testDb();
    const auditor = await makeCaller(db, ["auditor"]);
    const owner = await makePerson(db);
    const leaver = await makePerson(db, { status: "offboarded" });
    await makeNhi(db, { ownerId: leaver.id });
    await makeNhi(db, { ownerId: null });
    const kept = await makeNhi(db, { ownerId: owner.id });
    await makeGrant(db, kept.id, { level: "admin" });

    const live = await inventorySummary(db, auditor);
    expect(live).toMatchObject({ asOf: null, orphans: 2, standingPrivileged: 1, unusedPrivileged: 1 });

    await runReconciliation(db);
    const snap = await inventorySummary(db, auditor);
    expect(snap.asOf).not.toBeNull();
    const { asOf: _a, ...fromSnapshot } = snap;
    const { asOf: _b, ...counted } = { ...live, ...(await inventoryTotals(db, 90)) };
    expect(fromSnapshot).toEqual(counted);
    // Another window than the snapshot's is counted now.
    expect((await inventorySummary(db, auditor, 30)).asOf).toBeNull();
  });
});
