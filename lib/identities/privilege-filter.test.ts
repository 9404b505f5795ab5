import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { identities } from "@/db/schema";
import { runEscalationAnalysis } from "@/lib/escalation/run";
import { authorizationDetails } from "@/lib/escalation/test-account";
import { importAwsIam } from "@/lib/ingest/import-aws-iam";
import { makeCaller, makeGrant, makeNhi, makeSystem } from "@/lib/testing/harness";
import { isolatedForFile } from "@/lib/testing/isolated";
import { listIdentities } from "./list";

// The escalation analysis covers every imported account: a database of its own.
const testDb = isolatedForFile();

describe("the inventory's privilege filters", () => {
  it("judge an identity by its own level: escalating to administrator is admin, a read-only role is not privileged", async () => {
    const db = testDb();
    const account = "123456789012";
    const details = authorizationDetails(account, { deployerCanPass: true, person: "alice" });
    // A reporting role whose policy allows all of S3, less everything but reading by a deny: its policy is privileged, the role reads only.
    const doc = (...Statement: object[]) => ({ Version: "2012-10-17", Statement });
    details.RoleDetailList.push({
      ...details.RoleDetailList.find((r) => r.RoleName === "viewer")!,
      RoleName: "reports",
      RoleId: "AROAREPORTS",
      Arn: `arn:aws:iam::${account}:role/reports`,
      RolePolicyList: [
        { PolicyName: "reports-s3", PolicyDocument: doc({ Effect: "Allow", Action: "s3:*", Resource: "*" }) },
        { PolicyName: "reports-read-only", PolicyDocument: doc({ Effect: "Deny", NotAction: ["s3:Get*", "s3:List*"], Resource: "*" }) },
      ],
      AttachedManagedPolicies: [],
    });
    const { systemId } = await importAwsIam(db, { authorizationDetails: details });
    await runEscalationAnalysis(db);
    // Outside the analysis: an NHI whose level is its entitlements'.
    const other = await makeSystem(db);
    const keyed = await makeNhi(db, { systemId: other.id });
    await makeGrant(db, keyed.id, { level: "admin", systemId: other.id });
    const reader = await makeNhi(db, { systemId: other.id });
    await makeGrant(db, reader.id, { level: "standard", systemId: other.id });

    const admin = await makeCaller(db, ["admin"]);
    const names = async (filters: Record<string, string>) => (await listIdentities(db, admin, { systemId, ...filters })).rows.map((r) => r.name).sort();
    const namesElsewhere = async (filters: Record<string, string>) =>
      (await listIdentities(db, admin, { systemId: other.id, ...filters })).rows.map((r) => r.id).sort();

    // The reporting role holds a privileged policy, yet can only read: standard, as the viewer with ReadOnlyAccess is.
    const [reports] = await db
      .select()
      .from(identities)
      .where(eq(identities.externalId, `arn:aws:iam::${account}:role/reports`));
    expect((await listIdentities(db, admin, { systemId, q: reports.name })).rows[0]).toMatchObject({ privilegeLevel: "standard", privilegedGrants: 1 });
    expect(await names({ privileged: "true" })).toEqual(["alice", "ci-bot", "deployer", "lambda-admin"]);
    expect(await names({ privileged: "false" })).toEqual(["public", "reports", "viewer"]);
    // Escalating to administrator counts as admin, as holding it does.
    expect(await names({ level: "admin" })).toEqual(["alice", "ci-bot", "deployer", "lambda-admin"]);
    expect(await names({ level: "standard" })).toEqual(["public", "reports", "viewer"]);
    expect(await names({ level: "reaches_admin" })).toEqual(["alice", "ci-bot", "deployer", "lambda-admin"]);
    expect(await names({ level: "reaches_admin", kind: "human" })).toEqual(["alice"]);

    // Identities the analysis does not cover keep their entitlements' level; they never "reach" admin by analysis.
    expect(await namesElsewhere({ privileged: "true" })).toEqual([keyed.id]);
    expect(await namesElsewhere({ level: "admin" })).toEqual([keyed.id]);
    expect(await namesElsewhere({ level: "standard" })).toEqual([reader.id]);
    expect(await namesElsewhere({ level: "reaches_admin" })).toEqual([]);
    // The dashboard's standing tile counts standing privileged grants; its list is who holds one (not eligibility, not standard).
    const eligibleOnly = await makeNhi(db, { systemId: other.id });
    await makeGrant(db, eligibleOnly.id, { level: "admin", systemId: other.id, type: "eligible" });
    expect(await namesElsewhere({ standing: "true" })).toEqual([keyed.id]);
    expect(await namesElsewhere({ standing: "false" })).toEqual([reader.id, eligibleOnly.id].sort());

    await expect(listIdentities(db, admin, { level: "root" })).rejects.toMatchObject({
      status: 422,
      fieldErrors: { level: [expect.stringContaining("Level must be")] },
    });
  });
});
