import { parse } from "csv-parse/sync";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { identities } from "@/db/schema";
import { createCampaign } from "@/lib/certification/campaigns";
import { exportEvidence } from "@/lib/certification/export";
import { launchCampaign } from "@/lib/certification/launch";
import { raiseFindings } from "@/lib/findings/raise";
import { exportFindings } from "@/lib/reconciliation/findings";
import { makeCaller, makeGrant, makePerson, testDb, uniq } from "@/lib/testing/harness";
import { streamRows, type ExportFile } from "./stream";

const HOSTILE = "=cmd|' /C calc'!A0";

const read = async (file: ExportFile) => parse<Record<string, string>>(await new Response(file.body).text(), { columns: true });

describe("CSV exports neutralise formulas (CSV injection)", () => {
  it("prefixes text cells a spreadsheet would run with a single quote; numbers stay numbers", async () => {
    const rows = [{ id: "1", text: HOSTILE, plus: "+SUM(A1:A9)", minus: "-2+3", at: "@A1", tab: "\tx", cr: "\rx", wide: "＝1+1", n: -5, plain: "a-b=c" }];
    const file = streamRows({
      format: "csv",
      filename: "t",
      columns: ["id", "text", "plus", "minus", "at", "tab", "cr", "wide", "n", "plain"],
      header: { key: "h", value: null },
      rowsKey: "rows",
      batchSize: 10,
      next: async () => rows,
      cursorOf: (r) => r.id,
    });
    const [row] = await read(file);
    expect(row).toEqual({
      id: "1",
      text: `'${HOSTILE}`,
      plus: "'+SUM(A1:A9)",
      minus: "'-2+3",
      at: "'@A1",
      tab: "'\tx",
      cr: "'\rx",
      wide: "'＝1+1",
      n: "-5",
      plain: "a-b=c",
    });
  });

  it("in the findings export and the campaign evidence export", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const person = await makePerson(db);
    await db.update(identities).set({ displayName: HOSTILE }).where(eq(identities.id, person.id));
    const { grant, entitlement, system } = await makeGrant(db, person.id, { level: "admin" });
    const title = `-1+1 ${uniq("finding")}`;
    await db.transaction((tx) =>
      raiseFindings(tx, [
        {
          kind: "approved_unused",
          severity: "high",
          identityId: person.id,
          entitlementId: entitlement.id,
          grantId: grant.id,
          systemId: system.id,
          source: "test",
          title,
        },
      ]),
    );

    const findingsCsv = await read(exportFindings(db, admin, { identityId: person.id, status: "all" }, "csv"));
    expect(findingsCsv).toEqual([expect.objectContaining({ identityName: `'${HOSTILE}`, title: `'${title}` })]);
    // JSON keeps the value as it is: it is data, not a spreadsheet.
    const findingsJson = JSON.parse(await new Response(exportFindings(db, admin, { identityId: person.id, status: "all" }, "json").body).text());
    expect(findingsJson.findings[0].identityName).toBe(HOSTILE);

    const campaign = await createCampaign(db, admin, {
      name: uniq("csv"),
      reviewerStrategy: "named",
      reviewerIds: [admin.identityId],
      fallbackReviewerId: admin.identityId,
      startsAt: "2026-01-01",
      dueAt: "2099-01-01",
      scope: { identityIds: [person.id] },
    });
    await launchCampaign(db, admin, campaign.id);
    const evidence = await read(await exportEvidence(db, admin, campaign.id, "csv"));
    expect(evidence).toEqual([expect.objectContaining({ identity: `'${HOSTILE}`, grantId: grant.id, stage: "1" })]);
  });
});
