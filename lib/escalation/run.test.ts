import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { credentials, findings, identities, identityEscalations } from "@/db/schema";
import { importAwsIam } from "@/lib/ingest/import-aws-iam";
import { reconcileIdentity } from "@/lib/reconciliation/actions";
import { makeCaller } from "@/lib/testing/harness";
import { isolatedForFile } from "@/lib/testing/isolated";
import { escalationOf, pathsToAdmin } from "./read";
import { runEscalationAnalysis } from "./run";
import { authorizationDetails } from "./test-account";

async function idOf(db: Db, arn: string) {
  const [row] = await db.select({ id: identities.id }).from(identities).where(eq(identities.externalId, arn));
  return row.id;
}

// The analysis covers every imported AWS account in the database: a database of
// its own, so other test files' imports never change what these runs recompute.
const testDb = isolatedForFile();

describe("the escalation analysis over the inventory", () => {
  it("finds who can become admin, says how, raises findings, and follows a re-import incrementally", async () => {
    const db = testDb();
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
    expect(await escalationOf(db, null, await idOf(db, `arn:aws:iam::${account}:role/lambda-admin`))).toMatchObject({
      privilegeLevel: "admin",
      holdsAdmin: true,
    });

    // Findings: the bot's escalation (critical: an NHI with a long-lived key), the open trust policy.
    const open = await db
      .select()
      .from(findings)
      .where(and(eq(findings.source, "escalation"), eq(findings.status, "open")));
    const botFinding = open.find((f) => f.identityId === bot && f.kind === "escalation_to_admin");
    expect(botFinding).toMatchObject({ severity: "critical", details: expect.objectContaining({ pathClass: "assume-role", steps: 3 }) });
    expect(botFinding!.title).toContain("ci-bot can become administrator");
    const publicRole = await idOf(db, `arn:aws:iam::${account}:role/public`);
    expect(open.find((f) => f.identityId === publicRole)).toMatchObject({ kind: "open_trust_policy", severity: "critical" });
    // The deployer escalates too; the admin role holds admin and is not "escalating".
    expect(open.filter((f) => f.kind === "escalation_to_admin").map((f) => f.identityId)).not.toContain(
      await idOf(db, `arn:aws:iam::${account}:role/lambda-admin`),
    );

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

    // When a role was last used is not what anyone's edges depend on: nothing is recomputed.
    const used = authorizationDetails(account, { deployerCanPass: false });
    for (const r of used.RoleDetailList) Object.assign(r, { RoleLastUsed: { LastUsedDate: "2026-12-01T10:00:00Z", Region: "eu-west-1" } });
    await importAwsIam(db, { authorizationDetails: used });
    expect(await runEscalationAnalysis(db)).toMatchObject({ recomputed: 0, changed: 0 });
    // A target's trust is: the viewer now trusts only the bot by name, so every principal's edges are computed again
    // (any of them might have reached it), and the bot reaches the viewer while the deployer no longer does.
    const viewer = used.RoleDetailList.find((r) => r.RoleName === "viewer")!;
    viewer.AssumeRolePolicyDocument = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:user/ci-bot` }, Action: "sts:AssumeRole" }],
    };
    await importAwsIam(db, { authorizationDetails: used });
    const retrusted = await runEscalationAnalysis(db);
    expect(retrusted.recomputed).toBe(retrusted.principals);
    expect((await escalationOf(db, null, bot)).reachable.roles.map((r) => r.name)).toContain("viewer");
  });

  it("answers through the API only for those who may see the identity", async () => {
    const db = testDb();
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
    const db = testDb();
    const account = String(100000000000 + Math.floor(Math.random() * 899999999999)).slice(0, 12);
    await importAwsIam(db, { authorizationDetails: authorizationDetails(account, { deployerCanPass: true }) });
    const bot = await idOf(db, `arn:aws:iam::${account}:user/ci-bot`);
    const auditor = await makeCaller(db, ["auditor"]);
    const got = await effectivePermissionsOf(db, auditor, bot);
    expect(got!.statements).toMatchObject([{ actions: ["sts:AssumeRole"], resources: [`arn:aws:iam::${account}:role/deployer`], status: "allowed" }]);
    await expect(effectivePermissionsOf(db, await makeCaller(db, ["requester"]), bot)).rejects.toMatchObject({ status: 404 });
  });
});
