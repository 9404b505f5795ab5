/**
 * Where the escalation verdict reaches people: the import endpoint that feeds
 * it, and the evidence shown beside review items and JIT approvals.
 */
import { readFileSync } from "node:fs";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as importRoute from "@/app/api/v1/imports/aws-iam/route";
import type { Database } from "@/db/client";
import { auditLog, findings, identities, identityEscalations } from "@/db/schema";
import { isolatedDatabase } from "@/db/testing";
import { getCaller } from "@/lib/auth/auth";
import { boundedText } from "@/lib/http/respond";
import { installJobs } from "@/lib/jobs/runner";
import { createRequest } from "@/lib/jit/request";
import { listRequests } from "@/lib/jit/list";
import { asking, jitOrg } from "@/lib/jit/test-fixtures";
import { makeCaller } from "@/lib/testing/harness";
import { callRoute } from "@/lib/testing/routes";
import { escalationEvidence } from "./read";
import { runEscalationAnalysis } from "./run";

const db$ = vi.hoisted(() => ({ database: null as Database | null }));
vi.mock("@/lib/auth/auth", () => ({ getCaller: vi.fn(async () => null) }));
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

describe("POST /api/v1/imports/aws-iam", () => {
  it("imports for administrators only, refuses bad bodies with a 4xx, and audits the import as the caller", async () => {
    const db = db$.database!.db;
    vi.mocked(getCaller).mockResolvedValue(await makeCaller(db, ["reviewer", "owner"]));
    expect((await callRoute(importRoute.POST, { body: { authorizationDetails: account } })).status).toBe(403);
    vi.mocked(getCaller).mockResolvedValue(await makeCaller(db, ["auditor"]));
    expect((await callRoute(importRoute.POST, { body: { authorizationDetails: account } })).status).toBe(403);

    const admin = await makeCaller(db, ["admin"]);
    vi.mocked(getCaller).mockResolvedValue(admin);
    const cases: [unknown, string][] = [
      ["{not json", "_"],
      [{ authorizationDetails: "a string" }, "authorizationDetails"],
      [{ authorizationDetails: account, credentialReport: 42 }, "credentialReport"],
      [{ authorizationDetails: account, surprise: true }, "_"],
      [{ authorizationDetails: { UserDetailList: [{ UserName: "x\u0000" }] } }, "authorizationDetails"],
      [{ authorizationDetails: account, scps: { levels: [] } }, "scps"],
    ];
    for (const [body, field] of cases) {
      const res = await callRoute(importRoute.POST, { body });
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(422);
      expect(Object.keys(res.json.error.fieldErrors ?? { _: [] }).join(" "), res.text).toMatch(new RegExp(field === "_" ? "." : field));
    }
    expect(await db.select().from(identities).where(eq(identities.externalId, arn("user", "build-bot")))).toHaveLength(0);

    const ok = await callRoute(importRoute.POST, { body: { authorizationDetails: account } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json).toMatchObject({ accountId: "246813579024", identities: { created: 6 } });
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.action, "import.aws_iam"), eq(auditLog.entityId, ok.json.systemId)));
    expect(audited).toMatchObject([{ actorId: admin.identityId }]);
  });

  it("refuses a body over the limit as it streams, and a declared one before reading", async () => {
    const big = new Request("http://gov.test/", { method: "POST", body: "x".repeat(2048) });
    await expect(boundedText(big, 1024)).rejects.toMatchObject({ status: 413 });
    const declared = new Request("http://gov.test/", { method: "POST", headers: { "content-length": "999999999" }, body: "{}" });
    await expect(boundedText(declared, 1024)).rejects.toMatchObject({ status: 413, message: expect.stringContaining("MiB") });
    expect(await boundedText(new Request("http://gov.test/", { method: "POST", body: "{\"a\":1}" }), 1024)).toBe("{\"a\":1}");
  });
});

describe("the verdict as evidence", () => {
  it("says in one line how an identity reaches admin, and nothing for one that cannot", async () => {
    const db = db$.database!.db;
    await runEscalationAnalysis(db);
    const [bot, oncall, lambdaAdmin, analyst] = await Promise.all([idOf(arn("user", "build-bot")), idOf(arn("user", "oncall")), idOf(arn("role", "lambda-admin")), idOf(arn("user", "analyst"))]);
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
    const [bot] = await db.select().from(identityEscalations).where(eq(identityEscalations.identityId, await idOf(arn("user", "build-bot"))));
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
    const rows = await db.select({ arn: identities.externalId, kind: identities.kind, e: identityEscalations }).from(identityEscalations).innerJoin(identities, eq(identities.id, identityEscalations.identityId));
    const got = (kind: string, name: string) => {
      const r = rows.find((x) => x.arn === demo(kind, name))!;
      return { kind: r.kind, level: r.e.privilegeLevel, holds: r.e.holdsAdmin, reaches: r.e.reachesAdmin, conditional: r.e.pathConditional, via: r.e.pathClass };
    };
    expect(got("user", "ci-deployer")).toEqual({ kind: "service_account", level: "admin", holds: false, reaches: true, conditional: false, via: "lambda-create-invoke" });
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
    for (const [kind, name] of [["user", "analyst"], ["role", "security-viewer"], ["role", "partner-readonly"]]) expect(got(kind, name), name).toMatchObject({ level: "standard", reaches: false });
    expect(got("role", "lambda-admin")).toMatchObject({ level: "admin", holds: true });

    const open = await db.select({ kind: findings.kind, severity: findings.severity, arn: identities.externalId }).from(findings).innerJoin(identities, eq(identities.id, findings.identityId)).where(and(eq(findings.source, "escalation"), eq(findings.status, "open")));
    const demoFindings = open.filter((f) => f.arn!.includes("777788889999"));
    expect(demoFindings).toContainEqual({ kind: "escalation_to_admin", severity: "critical", arn: demo("user", "ci-deployer") });
    expect(demoFindings).toContainEqual({ kind: "open_trust_policy", severity: "critical", arn: demo("role", "partner-readonly") });
    expect(demoFindings.filter((f) => f.kind === "escalation_to_admin").map((f) => f.arn!.split("/").pop()).sort()).toEqual(["app-deployer", "batch-scheduler", "ci-deployer", "oncall-engineer", "terraform-runner"]);
  });
});
