import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { and, eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { credentials, dataEventDays, entitlements, grants, identities, remediations, systems } from "@/db/schema";
import { permissionSetOf } from "@/lib/permissions/sets";
import { reconcileIdentity } from "@/lib/reconciliation/actions";
import { testDb } from "@/lib/testing/harness";
import { importAwsIam } from "./import-aws-iam";
import { importCloudTrail } from "./aws/cloudtrail-import";

const FIXTURES = path.join(import.meta.dirname, "aws", "fixtures");
const FIXTURE_ACCOUNT = "111122223333";

/** The fixtures under an account of this test's own, so tests sharing a PostgreSQL database never meet. */
async function fixtures() {
  const account = String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
  const swap = (text: string) => text.replaceAll(FIXTURE_ACCOUNT, account);
  const details = JSON.parse(swap(await readFile(path.join(FIXTURES, "authorization-details.json"), "utf8")));
  const report = swap(await readFile(path.join(FIXTURES, "credential-report.csv"), "utf8"));
  return { account, details, report };
}

type Who =
  | { type: "IAMUser"; name: string; path?: string }
  | { type: "AssumedRole"; role: string; session: string; path?: string }
  | { type: "AWSService" }
  | { type: "Root" }
  | { type: "Anonymous" };

let seq = 0;
function record(account: string, who: Who, source: string, name: string, at: string, extra: Record<string, unknown> = {}) {
  const userIdentity =
    who.type === "IAMUser"
      ? { type: "IAMUser", principalId: `AIDA${seq}`, arn: `arn:aws:iam::${account}:user${who.path ?? "/"}${who.name}`, accountId: account, userName: who.name }
      : who.type === "AssumedRole"
        ? {
            type: "AssumedRole",
            principalId: `AROA${seq}:${who.session}`,
            arn: `arn:aws:sts::${account}:assumed-role/${who.role}/${who.session}`,
            accountId: account,
          }
        : who.type === "Root"
          ? { type: "Root", principalId: account, arn: `arn:aws:iam::${account}:root`, accountId: account }
          : who.type === "AWSService"
            ? { type: "AWSService", invokedBy: "ec2.amazonaws.com" }
            : { type: "AWSAccount", principalId: "", accountId: "ANONYMOUS_PRINCIPAL" };
  return {
    eventVersion: "1.09",
    userIdentity,
    eventTime: at,
    eventSource: source,
    eventName: name,
    awsRegion: "eu-west-1",
    eventID: `evt-${account}-${++seq}`,
    eventType: "AwsApiCall",
    managementEvent: true,
    eventCategory: "Management",
    recipientAccountId: account,
    ...extra,
  };
}

async function identityNamed(db: Db, systemId: string, name: string) {
  const [row] = await db
    .select()
    .from(identities)
    .where(and(eq(identities.systemId, systemId), eq(identities.name, name)));
  return row;
}

const liveGrantNames = async (db: Db, identityId: string) =>
  (
    await db
      .select({ name: entitlements.name })
      .from(grants)
      .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
      .where(and(eq(grants.identityId, identityId), isNull(grants.revokedAt)))
  )
    .map((g) => g.name)
    .sort();

describe("importing AWS IAM and CloudTrail, then reconciling", () => {
  it("turns authorization details into identities, pattern-keeping entitlements and imported grants, and re-imports in place", async () => {
    const db = await testDb();
    const { account, details, report } = await fixtures();
    const first = await importAwsIam(db, { authorizationDetails: details, credentialReport: report });
    expect(first).toMatchObject({ accountId: account, systemCreated: true, identities: { created: 7, updated: 0 } });
    expect(first.kinds).toEqual({ human: 2, service_account: 2, workload_role: 2, bot: 1 });
    expect(first.warnings.join("\n")).toContain("LegacyNoDocument");

    const [system] = await db.select().from(systems).where(eq(systems.id, first.systemId));
    expect(system).toMatchObject({ kind: "aws_account", externalId: account, name: `aws-${account}` });
    const alice = await identityNamed(db, system.id, "alice");
    expect(alice).toMatchObject({ kind: "human", externalId: `arn:aws:iam::${account}:user/alice` });
    expect(await liveGrantNames(db, alice.id)).toEqual(["DeployTools", "developers (group)", "read-reports (inline, alice)"]);
    const ci = await identityNamed(db, system.id, "ci-deployer");
    expect(ci.kind).toBe("service_account");
    expect(await db.select({ label: credentials.label, status: credentials.status }).from(credentials).where(eq(credentials.identityId, ci.id))).toEqual([
      { label: "access key 1", status: "active" },
    ]);
    const role = await identityNamed(db, system.id, "orders-api");
    expect(role).toMatchObject({ kind: "workload_role", externalId: `arn:aws:iam::${account}:role/service/orders-api` });

    const ents = await db.select().from(entitlements).where(eq(entitlements.systemId, system.id));
    const admin = ents.find((e) => e.name === "AdministratorAccess")!;
    // A `*` policy stays one stored pattern, never 20,000 rows.
    expect(admin).toMatchObject({ privilegeLevel: "admin", permissions: [{ effect: "Allow", actions: ["*"], conditional: false, allResources: true }] });
    expect(ents.find((e) => e.name === "DeployTools")?.privilegeLevel).toBe("privileged");

    // Re-import: bob is gone, alice lost DeployTools; identical content otherwise changes nothing.
    const again = await importAwsIam(db, { authorizationDetails: details, credentialReport: report });
    expect(again.identities).toEqual({ created: 0, updated: 0, removed: 0, unchanged: 7 });
    expect(again.grants).toMatchObject({ added: 0, removed: 0 });
    const changed = structuredClone(details);
    changed.UserDetailList = changed.UserDetailList.filter((u: { UserName: string }) => u.UserName !== "bob");
    changed.UserDetailList.find((u: { UserName: string }) => u.UserName === "alice").AttachedManagedPolicies = [];
    const third = await importAwsIam(db, { authorizationDetails: changed, credentialReport: report });
    expect(third.identities).toMatchObject({ removed: 1 });
    expect(third.grants.removed).toBeGreaterThanOrEqual(2);
    expect(await liveGrantNames(db, alice.id)).toEqual(["developers (group)", "read-reports (inline, alice)"]);
    expect((await identityNamed(db, system.id, "bob")).status).toBe("decommissioned");
    const [ended] = await db.select().from(remediations).where(eq(remediations.identityId, alice.id));
    expect(ended).toMatchObject({ source: "lifecycle", status: "confirmed", detail: "Absent from the AWS IAM export" });
  });

  it("skips unchanged documents by their digest, and a document changed by anything but the import is compared in full and put back", async () => {
    const db = await testDb();
    const { details, report } = await fixtures();
    const { systemId } = await importAwsIam(db, { authorizationDetails: details, credentialReport: report });
    const [deploy] = await db
      .select()
      .from(entitlements)
      .where(and(eq(entitlements.systemId, systemId), eq(entitlements.name, "DeployTools")));
    expect(deploy.importedDigest).toMatch(/^[\w-]{43}$/);
    // Someone edits the stored document: the digest no longer vouches for it (the trigger forgets it).
    await db
      .update(entitlements)
      .set({ permissions: [{ effect: "Allow", actions: ["*"], conditional: false, allResources: true }] })
      .where(eq(entitlements.id, deploy.id));
    const [edited] = await db.select().from(entitlements).where(eq(entitlements.id, deploy.id));
    expect(edited.importedDigest).toBeNull();
    // An edit that keeps the document (a new description) keeps the digest.
    await db.update(entitlements).set({ description: "noted" }).where(eq(entitlements.name, "AdministratorAccess"));
    expect((await db.select().from(entitlements).where(eq(entitlements.name, "AdministratorAccess")))[0].importedDigest).not.toBeNull();

    const again = await importAwsIam(db, { authorizationDetails: details, credentialReport: report });
    expect(again.entitlements.updated).toBe(2);
    const [restored] = await db.select().from(entitlements).where(eq(entitlements.id, deploy.id));
    expect(restored).toMatchObject({ permissions: deploy.permissions, privilegeLevel: deploy.privilegeLevel, importedDigest: deploy.importedDigest });
    // A third import finds every document vouched for and changes nothing.
    const third = await importAwsIam(db, { authorizationDetails: details, credentialReport: report });
    expect(third.entitlements).toEqual({ created: 0, updated: 0, removed: 0 });
  });

  it("attributes CloudTrail records to users and roles (assumed-role sessions to their role), reports unknown principals, and reconciles action by action", async () => {
    const db = await testDb();
    const { account, details, report } = await fixtures();
    const { systemId } = await importAwsIam(db, { authorizationDetails: details, credentialReport: report });
    const base = Math.floor(Date.now() / 1000) * 1000 - 3 * 86_400_000;
    const day = (h: number) => new Date(base + h * 3_600_000).toISOString();
    const alice: Who = { type: "IAMUser", name: "alice" };
    const ordersApi: Who = { type: "AssumedRole", role: "orders-api", session: "orders-api-handler" };
    const records = [
      record(account, alice, "s3.amazonaws.com", "ListBuckets", day(1)),
      record(account, alice, "s3.amazonaws.com", "ListObjectsV2", day(2)),
      record(account, alice, "ecr.amazonaws.com", "ListImages", day(3)),
      record(account, alice, "ecr.amazonaws.com", "ListImages", day(4)),
      record(account, alice, "iam.amazonaws.com", "CreateUser", day(5), { errorCode: "AccessDenied", errorMessage: "not authorized" }),
      record(account, ordersApi, "s3.amazonaws.com", "GetObject", day(6), { eventCategory: "Data", managementEvent: false }),
      record(account, ordersApi, "dynamodb.amazonaws.com", "Query", day(7), { eventCategory: "Data", managementEvent: false }),
      record(account, ordersApi, "iam.amazonaws.com", "ListRoles", day(8)),
      record(account, { type: "IAMUser", name: "ci-deployer", path: "/automation/" }, "ec2.amazonaws.com", "TerminateInstances", day(9), {
        errorCode: "Client.UnauthorizedOperation",
      }),
      record(account, { type: "AWSService" }, "sts.amazonaws.com", "AssumeRole", day(10)),
      record(account, { type: "Anonymous" }, "s3.amazonaws.com", "GetObject", day(11), { eventCategory: "Data", managementEvent: false }),
      record(account, { type: "Root" }, "iam.amazonaws.com", "CreateAccessKey", day(12)),
      record(account, { type: "AssumedRole", role: "ghost-role", session: "s1" }, "s3.amazonaws.com", "ListBuckets", day(13)),
      record(account, { type: "AssumedRole", role: "ghost-role", session: "s2" }, "s3.amazonaws.com", "ListBuckets", day(14)),
      record(account, alice, "sts.amazonaws.com", "GetCallerIdentity", day(15)),
    ];
    const dir = await mkdtemp(path.join(tmpdir(), "trail-"));
    await mkdir(path.join(dir, "AWSLogs", account, "CloudTrail", "eu-west-1"), { recursive: true });
    await writeFile(path.join(dir, "AWSLogs", account, "CloudTrail", "eu-west-1", "a.json.gz"), gzipSync(JSON.stringify({ Records: records.slice(0, 8) })));
    await writeFile(path.join(dir, "b.json"), JSON.stringify({ Records: records.slice(8) }));
    await writeFile(path.join(dir, "broken.json"), "{not json");

    const s = await importCloudTrail(db, [dir]);
    expect(s).toMatchObject({ files: 3, records: 15, usage: { inserted: 9, duplicates: 0, denied: 2 } });
    expect(s.unreadableFiles).toHaveLength(1);
    expect(s.skipped).toMatchObject({ "aws-service": 1, anonymous: 1, "no-permission": 1, "unknown-principal": 3 });
    expect(s.unknownPrincipals).toEqual([
      { principal: `${account}:role:ghost-role`, records: 2 },
      { principal: `arn:aws:iam::${account}:root`, records: 1 },
    ]);
    expect(await db.select({ service: dataEventDays.service }).from(dataEventDays).where(eq(dataEventDays.systemId, systemId))).toEqual(
      expect.arrayContaining([{ service: "s3" }, { service: "dynamodb" }]),
    );
    // The same logs again change nothing.
    expect((await importCloudTrail(db, [dir])).usage).toMatchObject({ inserted: 0, duplicates: 9 });

    const byArn = await reconcileIdentity(db, { identity: `arn:aws:iam::${account}:user/alice` });
    const status = (a: string) => byArn.actions.find((x) => x.action === a);
    expect(status("s3:ListAllMyBuckets")).toMatchObject({ status: "used", count: 1, approvedBy: "developers (group)" });
    expect(status("s3:ListBucket")).toMatchObject({ status: "used", count: 1 });
    expect(status("ecr:ListImages")).toMatchObject({ status: "used", count: 2, lastUsed: day(4).replace(/\.\d{3}Z$/, "Z") });
    expect(status("iam:CreateUser")).toMatchObject({ status: "denied", count: 0, deniedCount: 1 });
    expect(status("ec2:RunInstances")).toMatchObject({ status: "unused" });
    // s3 data events were seen in this account, so an unused GetObject is proof; lambda invocations were never logged.
    expect(status("s3:GetObject")).toMatchObject({ status: "unused" });
    expect(status("lambda:InvokeFunction")).toMatchObject({ status: "unobservable", reason: "data-event" });
    expect(status("iam:PassRole")).toMatchObject({ status: "unobservable", reason: "permission-only" });
    expect(byArn.summary).toMatchObject({ used: 3, denied: 1, unapproved: 0 });

    // An assumed-role ARN (no path) finds its role; a call nothing approves is unapproved.
    const role = await reconcileIdentity(db, { identity: `arn:aws:sts::${account}:assumed-role/orders-api/orders-api-handler` });
    expect(role.identity.arn).toBe(`arn:aws:iam::${account}:role/service/orders-api`);
    expect(role.actions.find((a) => a.action === "dynamodb:Query")).toMatchObject({ status: "used", approvedBy: "orders-table (inline, orders-api)" });
    expect(role.actions.find((a) => a.action === "iam:ListRoles")).toMatchObject({ status: "unapproved", count: 1, approvedBy: null });
    expect(role.actions.find((a) => a.action === "s3:GetObject")).toMatchObject({ status: "unapproved" });

    // A window that ends before the events sees none of them.
    const before = await reconcileIdentity(db, {
      identity: `arn:aws:iam::${account}:user/automation/ci-deployer`,
      until: new Date(Date.now() - 10 * 86_400_000).toISOString(),
    });
    expect(before.actions).toEqual([]);
    await expect(reconcileIdentity(db, { identity: "nobody-at-all" })).rejects.toMatchObject({ status: 404 });
    await expect(reconcileIdentity(db, { identity: "alice", since: "2026-02-01", until: "2026-01-01" })).rejects.toMatchObject({ status: 422 });
    // Another account with an alice of its own: a bare name is ambiguous.
    await importAwsIam(db, { authorizationDetails: (await fixtures()).details });
    await expect(reconcileIdentity(db, { identity: "alice" })).rejects.toMatchObject({ status: 409, message: expect.stringContaining("give its id or ARN") });
  });
});

describe("what an imported principal may do, as the product judges it", () => {
  it("takes own inline, attached and group policies together (a Deny anywhere applies everywhere), narrows by the boundary, and grants nothing for a policy the export lacks", async () => {
    const db = await testDb();
    const { details, report } = await fixtures();
    const { systemId } = await importAwsIam(db, { authorizationDetails: details, credentialReport: report });
    const approves = async (name: string) => {
      const set = await permissionSetOf(db, (await identityNamed(db, systemId, name)).id);
      return (action: string) => set.approvalFor(action, systemId) !== null;
    };

    const alice = await approves("alice");
    expect(alice("s3:GetObject")).toBe(true); // own inline
    expect(alice("ecr:ListImages")).toBe(true); // attached DeployTools
    expect(alice("ec2:RunInstances")).toBe(true); // group's PowerUserAccess (NotAction)
    expect(alice("iam:ListRoles")).toBe(true);
    expect(alice("iam:PassRole")).toBe(true); // a resource-scoped Allow still approves the action
    expect(alice("iam:CreateUser")).toBe(false); // outside PowerUserAccess's NotAction
    expect(alice("cloudformation:DeleteStack")).toBe(false); // DeployTools' unconditional Deny
    expect(alice("s3:DeleteBucket")).toBe(true); // the group's Deny holds only without MFA

    const bob = await approves("bob");
    expect(bob("s3:PutObject")).toBe(true);
    expect(bob("ec2:DescribeInstances")).toBe(true);
    expect(bob("ec2:RunInstances")).toBe(false); // the group grants it; the boundary does not
    expect(bob("lambda:InvokeFunction")).toBe(false);

    const carol = await approves("carol");
    for (const action of ["iam:CreateUser", "organizations:LeaveOrganization", "ec2:RunInstances", "s3:DeleteBucket"]) expect(carol(action)).toBe(true);

    // ci-deployer's only policy, AWS's ReadOnlyAccess, is not in the export: it approves nothing.
    const ci = await approves("ci-deployer");
    for (const action of ["s3:GetObject", "ec2:DescribeInstances", "iam:ListRoles"]) expect(ci(action)).toBe(false);
  });
});
