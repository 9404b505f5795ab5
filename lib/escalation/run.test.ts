import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { isolatedDatabase } from "@/db/testing";
import { installJobs } from "@/lib/jobs/runner";
import { credentials, findings, identities, identityEscalations } from "@/db/schema";
import { importAwsIam } from "@/lib/ingest/import-aws-iam";
import { reconcileIdentity } from "@/lib/reconciliation/actions";
import { makeCaller } from "@/lib/testing/harness";
import { escalationOf, pathsToAdmin } from "./read";
import { runEscalationAnalysis } from "./run";

type Doc = Record<string, unknown>;
const policyDoc = (...Statement: Doc[]) => ({ Version: "2012-10-17", Statement });
const created = "2024-01-01T00:00:00Z";

/** A small `get-account-authorization-details` export. */
function authorizationDetails(account: string, opts: { deployerCanPass: boolean }) {
  const arn = (kind: string, name: string) => `arn:aws:iam::${account}:${kind}/${name}`;
  const role = (name: string, trust: Doc, inline: Doc | null, attached: string[] = []) => ({
    Path: "/",
    RoleName: name,
    RoleId: `AROA${name.toUpperCase().replace(/[^A-Z]/g, "")}`,
    Arn: arn("role", name),
    CreateDate: created,
    AssumeRolePolicyDocument: policyDoc({ Effect: "Allow", Principal: trust, Action: "sts:AssumeRole" }),
    InstanceProfileList: [],
    RolePolicyList: inline ? [{ PolicyName: `${name}-inline`, PolicyDocument: inline }] : [],
    AttachedManagedPolicies: attached.map((a) => ({ PolicyName: a.split("/").pop(), PolicyArn: a })),
    Tags: [],
  });
  const deployer = policyDoc(
    ...(opts.deployerCanPass ? [{ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }] : []),
    { Effect: "Allow", Action: ["lambda:CreateFunction", "lambda:InvokeFunction"], Resource: "*" },
  );
  const managed = (name: string, doc: Doc) => ({
    PolicyName: name,
    Arn: `arn:aws:iam::aws:policy/${name}`,
    Path: "/",
    DefaultVersionId: "v1",
    PolicyVersionList: [{ Document: doc, VersionId: "v1", IsDefaultVersion: true, CreateDate: created }],
  });
  return {
    UserDetailList: [
      {
        Path: "/",
        UserName: "ci-bot",
        UserId: "AIDACIBOT",
        Arn: arn("user", "ci-bot"),
        CreateDate: created,
        UserPolicyList: [{ PolicyName: "assume-deployer", PolicyDocument: policyDoc({ Effect: "Allow", Action: "sts:AssumeRole", Resource: arn("role", "deployer") }) }],
        GroupList: [],
        AttachedManagedPolicies: [],
        Tags: [{ Key: "identity-kind", Value: "service_account" }],
      },
    ],
    GroupDetailList: [],
    RoleDetailList: [
      role("deployer", { AWS: `arn:aws:iam::${account}:root` }, deployer),
      role("lambda-admin", { Service: "lambda.amazonaws.com" }, null, ["arn:aws:iam::aws:policy/AdministratorAccess"]),
      role("viewer", { AWS: `arn:aws:iam::${account}:root` }, null, ["arn:aws:iam::aws:policy/ReadOnlyAccess"]),
      role("public", "*" as unknown as Doc, null),
    ],
    Policies: [managed("AdministratorAccess", policyDoc({ Effect: "Allow", Action: "*", Resource: "*" })), managed("ReadOnlyAccess", policyDoc({ Effect: "Allow", Action: ["s3:Get*", "s3:List*", "ec2:Describe*", "athena:StartQueryExecution"], Resource: "*" }))],
  };
}

async function idOf(db: Database["db"], arn: string) {
  const [row] = await db.select({ id: identities.id }).from(identities).where(eq(identities.externalId, arn));
  return row.id;
}

// The analysis covers every imported AWS account in the database: a database of
// its own, so other test files' imports never change what these runs recompute.
let database: Database;
beforeAll(async () => {
  database = await isolatedDatabase();
  await installJobs(database);
}, 120_000);
afterAll(async () => database?.close());
const testDb = async () => database.db;

describe("the escalation analysis over the inventory", () => {
  it("finds who can become admin, says how, raises findings, and follows a re-import incrementally", async () => {
    const db = await testDb();
    const account = String(100000000000 + Math.floor(Math.random() * 899999999999)).slice(0, 12);
    await importAwsIam(db, { authorizationDetails: authorizationDetails(account, { deployerCanPass: true }) });
    const bot = await idOf(db, `arn:aws:iam::${account}:user/ci-bot`);
    await db.insert(credentials).values({ identityId: bot, type: "access_key", label: "AKIA…BOT1", issuedAt: new Date("2024-01-01") });

    const first = await runEscalationAnalysis(db);
    expect(first.recomputed).toBeGreaterThanOrEqual(5);

    const e = await escalationOf(db, null, bot);
    expect(e).toMatchObject({ privilegeLevel: "admin", reachesAdmin: true, holdsAdmin: false, conditional: false });
    expect(e.escalation[0].steps.map((s) => s.pathClass)).toEqual(["assume-role", "lambda-create-invoke", "holds-admin"]);
    const lambdaStep = e.escalation[0].steps[1];
    expect(lambdaStep.actions.map((a) => a.action)).toEqual(["lambda:CreateFunction", "lambda:InvokeFunction", "iam:PassRole"]);
    expect(lambdaStep.actions[2].allowedBy[0]).toMatchObject({ policy: `arn:aws:iam::${account}:role/deployer#inline/deployer-inline`, statement: 0 });
    // Through the administrator role it can become any role that trusts its account, or anyone.
    expect(e.reachable.roles.map((r) => r.name).sort()).toEqual(["deployer", "lambda-admin", "public", "viewer"]);

    // Levels from effective access: read-only AWS policies are standard, holding everything is admin.
    expect((await escalationOf(db, null, await idOf(db, `arn:aws:iam::${account}:role/viewer`))).privilegeLevel).toBe("standard");
    expect(await escalationOf(db, null, await idOf(db, `arn:aws:iam::${account}:role/lambda-admin`))).toMatchObject({ privilegeLevel: "admin", holdsAdmin: true });

    // Findings: the bot's escalation (critical: an NHI with a long-lived key), the open trust policy.
    const open = await db.select().from(findings).where(and(eq(findings.source, "escalation"), eq(findings.status, "open")));
    const botFinding = open.find((f) => f.identityId === bot && f.kind === "escalation_to_admin");
    expect(botFinding).toMatchObject({ severity: "critical", details: expect.objectContaining({ pathClass: "assume-role", steps: 3 }) });
    expect(botFinding!.title).toContain("ci-bot can become administrator");
    const publicRole = await idOf(db, `arn:aws:iam::${account}:role/public`);
    expect(open.find((f) => f.identityId === publicRole)).toMatchObject({ kind: "open_trust_policy", severity: "critical" });
    // The deployer escalates too; the admin role holds admin and is not "escalating".
    expect(open.filter((f) => f.kind === "escalation_to_admin").map((f) => f.identityId)).not.toContain(await idOf(db, `arn:aws:iam::${account}:role/lambda-admin`));

    // The CLI's and reconcile's views.
    expect((await pathsToAdmin(db)).find((p) => p.id === bot)?.steps).toHaveLength(3);
    const reconciled = await reconcileIdentity(db, { identity: bot });
    expect(reconciled.identity).toMatchObject({ privilegeLevel: "admin", escalation: [{ target: "admin", steps: expect.any(Array) }] });

    // A second run with nothing changed recomputes nothing and writes nothing.
    expect(await runEscalationAnalysis(db)).toMatchObject({ recomputed: 0, changed: 0 });

    // Re-import with the deployer's PassRole gone: only the deployer is recomputed; the bot's path is gone with it.
    await importAwsIam(db, { authorizationDetails: authorizationDetails(account, { deployerCanPass: false }) });
    const again = await runEscalationAnalysis(db);
    expect(again.recomputed).toBe(1);
    expect(await escalationOf(db, null, bot)).toMatchObject({ reachesAdmin: false, privilegeLevel: "privileged" });
    const [resolved] = await db.select().from(findings).where(eq(findings.id, botFinding!.id));
    expect(resolved).toMatchObject({ status: "resolved", resolution: "No longer seen by the escalation analysis" });
    const [row] = await db.select().from(identityEscalations).where(eq(identityEscalations.identityId, bot));
    expect(row.pathClass).toBeNull();
  });

  it("answers through the API only for those who may see the identity", async () => {
    const db = await testDb();
    const account = String(100000000000 + Math.floor(Math.random() * 899999999999)).slice(0, 12);
    await importAwsIam(db, { authorizationDetails: authorizationDetails(account, { deployerCanPass: true }) });
    await runEscalationAnalysis(db);
    const bot = await idOf(db, `arn:aws:iam::${account}:user/ci-bot`);
    const stranger = await makeCaller(db, ["requester"]);
    await expect(escalationOf(db, stranger, bot)).rejects.toMatchObject({ status: 404 });
    const auditor = await makeCaller(db, ["auditor"]);
    expect((await escalationOf(db, auditor, bot)).reachesAdmin).toBe(true);
  });
});

describe("effective permissions through the API", () => {
  it("lists the statements an identity holds as written, for whoever may see it", async () => {
    const { effectivePermissionsOf } = await import("./effective");
    const db = await testDb();
    const account = String(100000000000 + Math.floor(Math.random() * 899999999999)).slice(0, 12);
    await importAwsIam(db, { authorizationDetails: authorizationDetails(account, { deployerCanPass: true }) });
    const bot = await idOf(db, `arn:aws:iam::${account}:user/ci-bot`);
    const auditor = await makeCaller(db, ["auditor"]);
    const got = await effectivePermissionsOf(db, auditor, bot);
    expect(got!.statements).toMatchObject([{ actions: ["sts:AssumeRole"], resources: [`arn:aws:iam::${account}:role/deployer`], status: "allowed" }]);
    await expect(effectivePermissionsOf(db, await makeCaller(db, ["requester"]), bot)).rejects.toMatchObject({ status: 404 });
  });
});
