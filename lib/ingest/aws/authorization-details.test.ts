import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { type AwsInventory, type AwsPrincipal, parseAuthorizationDetails, parseCredentialReport, principalKind } from "./authorization-details";

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "fixtures", name), "utf8");
const rawDetails = () => JSON.parse(fixture("authorization-details.json")) as Record<string, unknown[]>;

let inventory: AwsInventory;
beforeAll(() => {
  inventory = parseAuthorizationDetails(rawDetails());
});

const user = (name: string) => inventory.users.find((u) => u.name === name)!;
const role = (name: string) => inventory.roles.find((r) => r.name === name)!;

describe("parseAuthorizationDetails", () => {
  test("takes the account id from the ARNs", () => {
    expect(inventory.accountId).toBe("111122223333");
  });

  test("reads users with path, tags, groups, attached and URL-encoded inline policies", () => {
    expect(inventory.users.map((u) => u.name)).toEqual(["alice", "ci-deployer", "carol", "bob"]);
    const alice = user("alice");
    expect(alice).toMatchObject({
      kind: "user",
      id: "AIDAALICEEXAMPLE00001",
      arn: "arn:aws:iam::111122223333:user/alice",
      path: "/",
      tags: { team: "payments" },
      groups: ["developers"],
      attachedPolicyArns: ["arn:aws:iam::111122223333:policy/DeployTools"],
      trustPolicy: null,
      trustedPrincipals: [],
      permissionsBoundaryArn: null,
      lastUsedAt: null,
    });
    expect(alice.createdAt.toISOString()).toBe("2021-03-04T10:11:12.000Z");
    expect(alice.inlinePolicies).toEqual([
      { name: "read-reports", statements: [{ effect: "Allow", actions: ["s3:Get*"], conditional: false, allResources: false, resources: expect.any(Array) }] },
    ]);
    expect(user("ci-deployer").path).toBe("/automation/");
    expect(user("bob").permissionsBoundaryArn).toBe("arn:aws:iam::111122223333:policy/DevBoundary");
  });

  test("reads roles with trust policies and who they trust", () => {
    const api = role("orders-api");
    expect(api).toMatchObject({
      kind: "role",
      path: "/service/",
      arn: "arn:aws:iam::111122223333:role/service/orders-api",
      groups: [],
      trustedPrincipals: ["lambda.amazonaws.com"],
    });
    expect(api.trustPolicy).toEqual([
      { effect: "Allow", actions: ["sts:AssumeRole"], conditional: false, allResources: true, principals: { Service: ["lambda.amazonaws.com"] } },
    ]);
    expect(api.instanceProfileArns).toEqual([]);
    expect(api.lastUsedAt?.toISOString()).toBe("2024-05-30T12:34:56.000Z");
    expect(api.inlinePolicies[0].statements).toHaveLength(2);

    const org = role("OrganizationAccountAccessRole");
    expect(org.trustedPrincipals).toEqual(["arn:aws:iam::999988887777:root"]);
    expect(org.trustPolicy?.[0].conditional).toBe(true);
    expect(org.lastUsedAt).toBeNull();

    // Federated (OIDC) and AWS principals of AssumeRole* statements; a TagSession-only statement trusts nobody.
    expect(role("github-actions-deploy").trustedPrincipals).toEqual([
      "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
      "arn:aws:iam::111122223333:role/service/orders-api",
      "222233334444",
    ]);
  });

  test("reads groups", () => {
    expect(inventory.groups.map((g) => g.name)).toEqual(["developers", "admins"]);
    const dev = inventory.groups[0];
    expect(dev.attachedPolicyArns).toEqual(["arn:aws:iam::aws:policy/PowerUserAccess"]);
    expect(dev.inlinePolicies[0].statements[0]).toMatchObject({ effect: "Deny", conditional: true });
  });

  test("keeps the default version of managed policies, customer and AWS managed", () => {
    const deploy = inventory.policies.get("arn:aws:iam::111122223333:policy/DeployTools")!;
    expect(deploy).toMatchObject({ name: "DeployTools", path: "/", defaultVersionId: "v2", awsManaged: false });
    // v1 (Action "*") is not the default and must not count.
    expect(deploy.statements.map((s) => s.actions?.[0])).toEqual(["lambda:UpdateFunctionCode", "iam:PassRole", "cloudformation:DeleteStack"]);
    const power = inventory.policies.get("arn:aws:iam::aws:policy/PowerUserAccess")!;
    expect(power.awsManaged).toBe(true);
    expect(power.statements[0].notActions).toEqual(["iam:*", "organizations:*", "account:*"]);
    expect(inventory.policies.get("arn:aws:iam::111122223333:policy/DevBoundary")!.path).toBe("/boundaries/");
  });

  test("warns about attached policies, versions and groups missing from the export", () => {
    expect(inventory.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Managed policy arn:aws:iam::111122223333:policy\/LegacyNoDocument has no default version document.*granting nothing/),
        expect.stringMatching(
          /^Policy arn:aws:iam::aws:policy\/ReadOnlyAccess is attached to user ci-deployer but its document is not in the export \(AWS managed policies .*--filter includes AWSManagedPolicy\); treating it as granting nothing\.$/,
        ),
        "User bob is in group contractors, which is not in the export; its policies are not counted.",
      ]),
    );
    expect(inventory.warnings).toHaveLength(3);
  });

  test("accepts documents as objects and JSON text as well as URL-encoded strings", () => {
    const raw = rawDetails();
    const alice = raw.UserDetailList[0] as { UserPolicyList: { PolicyDocument: unknown }[] };
    alice.UserPolicyList[0].PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:Get*", Resource: "arn:aws:s3:::reports/*" }] };
    expect(parseAuthorizationDetails(raw).users[0].inlinePolicies).toEqual(inventory.users[0].inlinePolicies);
    expect(parseAuthorizationDetails(JSON.stringify(rawDetails())).users).toHaveLength(4);
  });

  test("merges raw API pages and warns when output was truncated", () => {
    const raw = rawDetails();
    const pages = [
      {
        UserDetailList: raw.UserDetailList,
        GroupDetailList: raw.GroupDetailList,
        RoleDetailList: [],
        Policies: raw.Policies,
        IsTruncated: true,
        Marker: "abc",
      },
      { UserDetailList: [], GroupDetailList: [], RoleDetailList: raw.RoleDetailList, Policies: [], IsTruncated: false },
    ];
    const merged = parseAuthorizationDetails(pages);
    expect(merged.roles).toHaveLength(3);
    expect(merged.warnings.some((w) => w.includes("truncated"))).toBe(false);
    expect(parseAuthorizationDetails({ ...raw, IsTruncated: true }).warnings[0]).toMatch(/truncated/);
  });

  test("throws clearly on exports it cannot read", () => {
    expect(() => parseAuthorizationDetails({ foo: 1 })).toThrow(/get-account-authorization-details/);
    expect(() => parseAuthorizationDetails("{nope")).toThrow(/not valid JSON/);
    expect(() => parseAuthorizationDetails({ UserDetailList: [{ UserName: "x" }] })).toThrow(/UserDetailList\[0\] \(x\): UserId is missing/);
    expect(() => parseAuthorizationDetails({ UserDetailList: [], RoleDetailList: [] })).toThrow(/names the account/);
    const raw = rawDetails();
    (raw.RoleDetailList[0] as Record<string, unknown>).AssumeRolePolicyDocument = "%7Bbroken";
    expect(() => parseAuthorizationDetails(raw)).toThrow(/Trust policy of role orders-api: not valid JSON/);
    const bad = rawDetails();
    (bad.UserDetailList[0] as Record<string, unknown>).CreateDate = "yesterday";
    expect(() => parseAuthorizationDetails(bad)).toThrow(/CreateDate is not a date/);
  });
});

describe("parseCredentialReport", () => {
  const report = parseCredentialReport(fixture("credential-report.csv"));

  test("reads every row, root included", () => {
    expect([...report.keys()]).toEqual(["<root_account>", "alice", "ci-deployer", "carol", "bob"]);
    expect(report.get("<root_account>")).toMatchObject({ passwordEnabled: false, mfaActive: true, accessKeys: [] });
  });

  test("reads passwords, MFA and access keys; N/A, no_information and not_supported are null", () => {
    expect(report.get("alice")).toEqual({
      arn: "arn:aws:iam::111122223333:user/alice",
      passwordEnabled: true,
      passwordLastUsed: new Date("2024-06-01T08:00:00Z"),
      mfaActive: true,
      accessKeys: [],
    });
    expect(report.get("ci-deployer")!.accessKeys).toEqual([
      { active: true, lastRotated: new Date("2022-07-01T08:05:00Z"), lastUsed: new Date("2024-06-02T03:00:00Z"), lastUsedService: "s3" },
    ]);
    const carol = report.get("carol")!;
    expect(carol.passwordLastUsed).toBeNull();
    expect(carol.accessKeys).toEqual([
      { active: true, lastRotated: new Date("2023-05-05T05:10:00Z"), lastUsed: new Date("2024-05-31T18:00:00Z"), lastUsedService: "ec2" },
      { active: true, lastRotated: new Date("2024-02-01T00:00:00Z"), lastUsed: null, lastUsedService: null },
    ]);
    // An inactive key still exists (it has a rotation date); an empty slot is left out.
    expect(report.get("bob")!.accessKeys).toEqual([
      { active: false, lastRotated: new Date("2023-11-21T09:00:00Z"), lastUsed: new Date("2023-12-01T10:00:00Z"), lastUsedService: "iam" },
    ]);
  });

  test("accepts the CLI's JSON wrapper with base64 Content", () => {
    const wrapped = JSON.stringify({
      Content: Buffer.from(fixture("credential-report.csv")).toString("base64"),
      ReportFormat: "text/csv",
      GeneratedTime: "2024-06-05T00:00:00Z",
    });
    expect(parseCredentialReport(wrapped)).toEqual(report);
  });

  test("rejects something that is not a credential report", () => {
    expect(() => parseCredentialReport("name,email\nx,y\n")).toThrow(/get-credential-report/);
    expect(() => parseCredentialReport("name,email\n")).toThrow(/get-credential-report/);
    expect(parseCredentialReport(fixture("credential-report.csv").split("\n")[0]).size).toBe(0);
    expect(() => parseCredentialReport('user,"password_enabled\n')).toThrow(/not valid CSV/);
  });
});

describe("principalKind", () => {
  const report = parseCredentialReport(fixture("credential-report.csv"));
  const withTags = (p: AwsPrincipal, tags: Record<string, string>): AwsPrincipal => ({ ...p, tags });

  test("roles are workload roles", () => {
    expect(principalKind(role("orders-api"))).toEqual({ kind: "workload_role", reason: "IAM role" });
  });

  test("users with an active access key are service accounts", () => {
    expect(principalKind(user("ci-deployer"), report.get("ci-deployer"))).toEqual({ kind: "service_account", reason: "IAM user with an active access key" });
  });

  test("users without an active key are people", () => {
    expect(principalKind(user("alice"), report.get("alice"))).toEqual({
      kind: "human",
      reason: "IAM user without an active access key, with a console password",
    });
  });

  test("without a credential report, users default to human and say keys are unknown", () => {
    expect(principalKind(user("ci-deployer"))).toEqual({ kind: "human", reason: "no credential report: keys unknown" });
  });

  test("an identity-kind or gov:kind tag overrides", () => {
    expect(principalKind(user("carol"), report.get("carol"))).toEqual({ kind: "human", reason: "tagged identity-kind=human" });
    expect(principalKind(user("bob"), report.get("bob"))).toEqual({ kind: "service_account", reason: "tagged gov:kind=Service-Account" });
    expect(principalKind(role("github-actions-deploy"))).toEqual({ kind: "bot", reason: "tagged identity-kind=bot" });
    expect(principalKind(withTags(role("orders-api"), { "Identity-Kind": "ai_agent" })).kind).toBe("ai_agent");
  });

  test("an unknown tag value is ignored and reported", () => {
    const r = principalKind(withTags(user("ci-deployer"), { "identity-kind": "robot" }), report.get("ci-deployer"));
    expect(r.kind).toBe("service_account");
    expect(r.reason).toMatch(/^tag identity-kind=robot is not one of human, service_account/);
  });

  test("a person with a CLI key is flagged in the reason", () => {
    const carolUntagged = withTags(user("carol"), {});
    expect(principalKind(carolUntagged, report.get("carol"))).toEqual({
      kind: "service_account",
      reason: "IAM user with 2 active access keys and a console password (a person using the CLI? tag identity-kind=human)",
    });
  });
});
