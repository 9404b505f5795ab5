import { describe, expect, it } from "vitest";
import { auditedTransaction, recordAudit } from "./record";
import { exportAudit, listAudit } from "./list";
import { makeCaller, makeNhi, testDb } from "@/lib/testing/harness";

describe("the audit log for people and auditors", () => {
  it("names entities, and exports the filtered rows with the chain's verification in CSV and JSON", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const auditor = await makeCaller(db, ["auditor"]);
    const requester = await makeCaller(db, ["requester"]);
    const nhi = await makeNhi(db);
    await auditedTransaction(db, (tx) =>
      recordAudit(
        tx,
        { id: admin.identityId, label: admin.email! },
        {
          action: "identity.updated",
          entityType: "identity",
          entityId: nhi.id,
          before: { purpose: "=cmd|' /C calc'!A0" },
          after: { purpose: "Ships exports" },
        },
      ),
    );

    const page = await listAudit(db, auditor, { entityId: nhi.id });
    expect(page.rows).toMatchObject([{ entityType: "identity", entityName: nhi.name }]);

    const json = JSON.parse(await new Response((await exportAudit(db, auditor, { entityId: nhi.id }, "json")).body).text());
    expect(json.export.verification).toMatchObject({ ok: expect.any(Boolean), checked: expect.any(Number) });
    expect(json.export.verification.checked).toBeGreaterThan(0);
    expect(json.rows).toMatchObject([
      { action: "identity.updated", entityName: nhi.name, after: { purpose: "Ships exports" }, hash: expect.any(String), prevHash: expect.any(String) },
    ]);

    const csv = (await new Response((await exportAudit(db, auditor, { entityId: nhi.id }, "csv")).body).text()).split("\n");
    expect(csv[0]).toBe("verification,ok,rowsChecked,headId,headSeq,problems,verifiedAt");
    expect(csv[1]).toMatch(/^chain,(yes|NO),\d+,/);
    expect(csv[2]).toBe("");
    expect(csv[3]).toBe("id,seq,occurredAt,actorId,actorLabel,action,entityType,entityId,entityName,before,after,prevHash,hash,keyId");
    // A value a spreadsheet would run as a formula stays text.
    expect(csv[4]).toContain(`"{""purpose"":""=cmd|' /C calc'!A0""}"`);
    expect(csv.filter((l) => l.includes("identity.updated"))).toHaveLength(1);

    await expect(exportAudit(db, requester, {}, "csv")).rejects.toMatchObject({ status: 403 });
    await expect(exportAudit(db, auditor, { from: "2026-02-01", to: "2026-01-01" }, "json")).rejects.toMatchObject({ status: 422 });
  });
});
