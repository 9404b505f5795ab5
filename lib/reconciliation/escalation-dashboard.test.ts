import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/db/rows";
import { identities, riskSnapshots } from "@/db/schema";
import { runEscalationAnalysis } from "@/lib/escalation/run";
import { authorizationDetails } from "@/lib/escalation/test-account";
import { importAwsIam } from "@/lib/ingest/import-aws-iam";
import { makeCaller } from "@/lib/testing/harness";
import { isolatedForFile } from "@/lib/testing/isolated";
import { riskDashboard } from "./dashboard";
import { writeSnapshots } from "./snapshot";

// The snapshot counts every analysed identity in the database: a database of its own.
const testDb = isolatedForFile();

describe("the dashboard's 'can reach administrator'", () => {
  it("says nothing was analysed before an analysis, then counts people and each NHI kind, holding or escalating, day by day", async () => {
    const db = testDb();
    const auditor = await makeCaller(db, ["auditor"]);

    // Before any analysis: no figure at all, not a zero.
    await writeSnapshots(db, new Date());
    const before = await riskDashboard(db, auditor);
    expect(before.reachAdmin).toBeNull();
    expect(before.figures["escalation.analysed"]).toBe(0);
    expect(before.figures).not.toHaveProperty("reachAdminPeople");
    expect(before.trend.every((t) => t.reachAdminPeople === undefined && t.reachAdminNhi === undefined)).toBe(true);

    // A small account: alice (a person) and ci-bot (a service account) escalate through the deployer role, which
    // escalates too; the Lambda role holds administrator access; the viewer and the open role reach nothing.
    const account = "345678901234";
    await importAwsIam(db, { authorizationDetails: authorizationDetails(account, { deployerCanPass: true, person: "alice" }) });
    await runEscalationAnalysis(db);
    // The analysis changed verdicts: it queued a reconciliation pass, so the snapshot follows.
    const [queued] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from pgboss.job where name = 'reconciliation.run'`);
    expect(queued.n).toBeGreaterThan(0);

    await writeSnapshots(db, new Date());
    const after = await riskDashboard(db, auditor);
    expect(after.reachAdmin).toEqual({
      analysed: 6,
      total: 4,
      holds: 1,
      escalates: 3,
      conditional: 0,
      people: 1,
      nhi: 3,
      // People first, then the NHI kinds with the most.
      byKind: [
        { kind: "human", holds: 0, escalates: 1, total: 1 },
        { kind: "workload_role", holds: 1, escalates: 1, total: 2 },
        { kind: "service_account", holds: 0, escalates: 1, total: 1 },
      ],
    });
    // Today's point of the trend; the days before the analysis have none (a gap, not a zero).
    const today = after.trend.at(-1)!;
    expect(today).toMatchObject({ reachAdminPeople: 1, reachAdminNhi: 3 });
    expect(after.trend.slice(0, -1).every((t) => t.reachAdminPeople === undefined)).toBe(true);

    // A decommissioned identity is no longer counted, though its verdict stays on record.
    await db
      .update(identities)
      .set({ status: "decommissioned" })
      .where(eq(identities.externalId, `arn:aws:iam::${account}:user/alice`));
    await writeSnapshots(db, new Date());
    const [latest] = await db
      .select()
      .from(riskSnapshots)
      .orderBy(sql`${riskSnapshots.day} desc`)
      .limit(1);
    expect(latest.figures).toMatchObject({ "escalation.analysed": 5, reachAdminPeople: 0, reachAdminNhi: 3 });
    expect(latest.figures).not.toHaveProperty("reachAdmin.escalates.human");
  });

  it("is read by those who read the dashboard, and by nobody else", async () => {
    const db = testDb();
    for (const role of ["admin", "auditor", "reviewer", "approver"] as const)
      await expect(riskDashboard(db, await makeCaller(db, [role]))).resolves.toHaveProperty("reachAdmin");
    await expect(riskDashboard(db, await makeCaller(db, ["requester"]))).rejects.toMatchObject({ status: 403 });
  });
});
