/**
 * Where the escalation verdict reaches people: the evidence shown beside
 * review items and JIT approvals, and the demo account that shows it.
 */
import { readFileSync } from "node:fs";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/db/client";
import { findings, identities, identityEscalations } from "@/db/schema";
import { isolatedDatabase } from "@/db/testing";
import { importAwsIam } from "@/lib/ingest/import-aws-iam";
import { installJobs } from "@/lib/runtime/job-runner";
import { createRequest } from "@/lib/jit/request";
import { listRequests } from "@/lib/jit/list";
import { asking, jitOrg } from "@/lib/jit/test-fixtures";
import { escalationEvidence } from "./read";
import { runEscalationAnalysis } from "./run";

const db$ = vi.hoisted(() => ({ database: null as Database | null }));
vi.mock("@/db/client", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/db/client")>();
  return { ...original, getDatabase: async () => db$.database!, getDb: async () => db$.database!.db };
});

// The analysis covers every imported account in its database: one of its own.
beforeAll(async () => {
  db$.database = await isolatedDatabase();
  await installJobs(db$.database);
}, 120_000);
afterAll(async () => db$.database?.close());

const account = JSON.parse(readFileSync("e2e/fixtures/escalation-account.json", "utf8"));
const arn = (kind: string, name: string) => `arn:aws:iam::246813579024:${kind}/${name}`;
async function idOf(arnOf: string) {
  const [row] = await db$.database!.db.select({ id: identities.id }).from(identities).where(eq(identities.externalId, arnOf));
  return row.id;
}

describe("the verdict as evidence", () => {
  it("says in one line how an identity reaches admin, and nothing for one that cannot", async () => {
    const db = db$.database!.db;
    await importAwsIam(db, { authorizationDetails: account });
    await runEscalationAnalysis(db);
    const [bot, oncall, lambdaAdmin, analyst] = await Promise.all([
      idOf(arn("user", "build-bot")),
      idOf(arn("user", "oncall")),
      idOf(arn("role", "lambda-admin")),
      idOf(arn("user", "analyst")),
    ]);
    const evidence = await escalationEvidence(db, [bot, oncall, lambdaAdmin, analyst, bot]);
    expect(evidence.get(bot)).toMatchObject({
      level: "admin",
      summary: "can escalate to admin via lambda:CreateFunction + lambda:InvokeFunction + iam:PassRole to role/lambda-admin (+1 step)",
    });
    expect(evidence.get(oncall)!.summary).toBe("can escalate to admin via sts:AssumeRole to role/ops-admin (+1 step)");
    expect(evidence.get(lambdaAdmin)).toMatchObject({ level: "admin", holdsAdmin: true, summary: "holds administrator access" });
    expect(evidence.get(analyst)).toMatchObject({ level: "standard", reachesAdmin: false, summary: null });
  });

  it("reaches the approver: a pending request carries the requester's verdict", async () => {
    const db = db$.database!.db;
    const org = await jitOrg(db);
    const made = await createRequest(db, org.requester, asking(org.entitlement.id));
    // As if the analysis had found the requester can escalate (a person with an IAM user, say).
    const [bot] = await db
      .select()
      .from(identityEscalations)
      .where(eq(identityEscalations.identityId, await idOf(arn("user", "build-bot"))));
    await db.insert(identityEscalations).values({ ...bot, identityId: org.requester.identityId });
    const page = await listRequests(db, org.approvers[0], { scope: "approvals" });
    const row = page.rows.find((r) => r.id === made.id)!;
    expect(row.context).toMatchObject({ identityLevel: "admin", escalation: { summary: expect.stringMatching(/^can escalate to admin via .*iam:PassRole/) } });
  });
});

describe("the demo's AWS account", () => {
  it("shows each verdict the analysis makes, near misses included", async () => {
    const { importDemoAccount } = await import("@/lib/ingest/aws/demo-account");
    const db = db$.database!.db;
    await importDemoAccount(db);
    await runEscalationAnalysis(db);
    const demo = (kind: string, name: string) => `arn:aws:iam::777788889999:${kind}/${name}`;
    const rows = await db
      .select({ arn: identities.externalId, kind: identities.kind, e: identityEscalations })
      .from(identityEscalations)
      .innerJoin(identities, eq(identities.id, identityEscalations.identityId));
    const got = (kind: string, name: string) => {
      const r = rows.find((x) => x.arn === demo(kind, name))!;
      return {
        kind: r.kind,
        level: r.e.privilegeLevel,
        holds: r.e.holdsAdmin,
        reaches: r.e.reachesAdmin,
        conditional: r.e.pathConditional,
        via: r.e.pathClass,
      };
    };
    expect(got("user", "ci-deployer")).toEqual({
      kind: "service_account",
      level: "admin",
      holds: false,
      reaches: true,
      conditional: false,
      via: "lambda-create-invoke",
    });
    expect(got("user", "terraform-runner")).toMatchObject({ level: "admin", reaches: true, conditional: false, via: "create-policy-version" });
    expect(got("user", "batch-scheduler")).toMatchObject({ level: "admin", reaches: true, conditional: false, via: "ec2-run-instances" });
    // Its PassRole stops at app-* roles, but it may rewrite any function's code: admin, the step
    // saying it needs a function running as an admin role (IAM exports do not list functions).
    expect(got("user", "app-deployer")).toMatchObject({ level: "admin", reaches: true, conditional: false, via: "lambda-update-code" });
    const [appDeployer] = rows.filter((r) => r.arn === demo("user", "app-deployer"));
    expect((appDeployer.e.path as { needs?: string }[])[0].needs).toMatch(/Lambda function running as the role/);
    // The window of its escalation action has passed.
    expect(got("user", "migration-bot")).toMatchObject({ reaches: false });
    // AdministratorAccess cancelled by a deny of everything.
    expect(got("user", "legacy-admin")).toMatchObject({ level: "standard", holds: false, reaches: false });
    // Only with MFA.
    expect(got("user", "oncall-engineer")).toMatchObject({ level: "privileged", reaches: true, conditional: true, via: "assume-role" });
    for (const [kind, name] of [
      ["user", "analyst"],
      ["role", "security-viewer"],
      ["role", "partner-readonly"],
    ])
      expect(got(kind, name), name).toMatchObject({ level: "standard", reaches: false });
    expect(got("role", "lambda-admin")).toMatchObject({ level: "admin", holds: true });

    const open = await db
      .select({ kind: findings.kind, severity: findings.severity, arn: identities.externalId })
      .from(findings)
      .innerJoin(identities, eq(identities.id, findings.identityId))
      .where(and(eq(findings.source, "escalation"), eq(findings.status, "open")));
    const demoFindings = open.filter((f) => f.arn!.includes("777788889999"));
    expect(demoFindings).toContainEqual({ kind: "escalation_to_admin", severity: "critical", arn: demo("user", "ci-deployer") });
    // Its path needs a function IAM exports cannot show: high, not critical.
    expect(demoFindings).toContainEqual({ kind: "escalation_to_admin", severity: "high", arn: demo("user", "app-deployer") });
    expect(demoFindings).toContainEqual({ kind: "open_trust_policy", severity: "critical", arn: demo("role", "partner-readonly") });
    expect(
      demoFindings
        .filter((f) => f.kind === "escalation_to_admin")
        .map((f) => f.arn!.split("/").pop())
        .sort(),
    ).toEqual(["app-deployer", "batch-scheduler", "ci-deployer", "oncall-engineer", "terraform-runner"]);
  });
});
