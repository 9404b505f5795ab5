import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type TrailFile, classifyRecord, readCloudTrail } from "./cloudtrail";

type Rec = Record<string, unknown>;
let records: Rec[];
beforeAll(async () => {
  records = (JSON.parse(await readFile(path.join(import.meta.dirname, "fixtures", "cloudtrail-records.json"), "utf8")) as { Records: Rec[] }).Records;
});

const byEventId = (suffix: string) => records.find((r) => (r.eventID as string).endsWith(suffix))!;
const usage = (r: unknown) => {
  const out = classifyRecord(r);
  if ("skip" in out) throw new Error(`expected usage, got skip ${out.skip}: ${out.reason}`);
  return out;
};
const skip = (r: unknown) => {
  const out = classifyRecord(r);
  if (!("skip" in out)) throw new Error(`expected a skip, got usage of ${out.action}`);
  return out;
};
const withIdentity = (base: Rec, userIdentity: unknown): Rec => ({ ...base, userIdentity });

describe("classifyRecord: the input rules", () => {
  test("a record whose stored text holds a NUL or a lone surrogate, or whose time is outside 1970-9999, is malformed, not a failed import", () => {
    const base = byEventId("111111111111");
    expect(skip({ ...base, eventID: "abc\u0000" })).toEqual({ skip: "malformed", reason: "eventID must not contain the NUL character (U+0000)." });
    expect(skip({ ...base, eventName: "List\ud800Buckets" }).reason).toMatch(/^eventName must be well-formed Unicode/);
    expect(skip({ ...base, eventTime: "0001-01-01T00:00:00Z" })).toEqual({
      skip: "malformed",
      reason: "eventTime 0001-01-01T00:00:00Z is not between 1970 and 9999",
    });
  });
});

describe("classifyRecord: principals", () => {
  test("IAMUser is the user, with the event's details", () => {
    const u = usage(byEventId("111111111111"));
    expect(u).toEqual({
      eventId: "3b5c0b0e-3f0d-4c8e-9d3b-111111111111",
      occurredAt: new Date("2024-06-01T08:00:01Z"),
      action: "s3:ListAllMyBuckets",
      alsoActions: [],
      eventSource: "s3.amazonaws.com",
      eventName: "ListBuckets",
      outcome: "success",
      errorCode: null,
      dataEvent: false,
      principal: { kind: "user", accountId: "111122223333", name: "alice", arn: "arn:aws:iam::111122223333:user/alice", key: "111122223333:user:alice" },
      sessionName: null,
      sourceIp: "203.0.113.10",
      userAgent: "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488]",
      accountId: "111122223333",
    });
  });

  test("IAMUser without userName takes the name from the ARN (path stripped)", () => {
    const r = withIdentity(byEventId("555555555555"), {
      type: "IAMUser",
      principalId: "AIDA…",
      arn: "arn:aws:iam::111122223333:user/automation/ci-deployer-2",
      accountId: "111122223333",
    });
    expect(usage(r).principal).toMatchObject({ name: "ci-deployer-2", key: "111122223333:user:ci-deployer-2" });
  });

  test("AssumedRole with a session issuer is the role (ARN with its path), not the session", () => {
    const u = usage(byEventId("222222222222"));
    expect(u.principal).toEqual({
      kind: "role",
      accountId: "111122223333",
      name: "orders-api",
      arn: "arn:aws:iam::111122223333:role/service/orders-api",
      key: "111122223333:role:orders-api",
    });
    expect(u.sessionName).toBe("orders-api-handler");
    expect(u.action).toBe("s3:GetObject");
    expect(u.dataEvent).toBe(true);
  });

  test("AssumedRole without a session issuer is derived from the assumed-role ARN, keyed by account and role name", () => {
    const u = usage(byEventId("333333333333"));
    expect(u.principal).toEqual({
      kind: "role",
      accountId: "111122223333",
      name: "github-actions-deploy",
      arn: null,
      key: "111122223333:role:github-actions-deploy",
    });
    expect(u.sessionName).toBe("gha-run-4242");
    expect(u.action).toBe("lambda:UpdateFunctionCode");
    expect(u.dataEvent).toBe(false); // no eventCategory/managementEvent on older records: management
  });

  test("the same role matches with and without an issuer even when the role has a path", () => {
    const withIssuer = usage(byEventId("222222222222")).principal.key;
    const bare = withIdentity(byEventId("222222222222"), {
      type: "AssumedRole",
      principalId: "AROAORDERSAPIEXAMPLE1:other-session",
      arn: "arn:aws:sts::111122223333:assumed-role/orders-api/other-session",
      accountId: "111122223333",
    });
    expect(usage(bare).principal.key).toBe(withIssuer);
    expect(usage(bare).sessionName).toBe("other-session");
  });

  test("an assumed role with neither issuer nor ARN cannot be attributed, and is not keyed by role id alone", () => {
    const s = skip(withIdentity(byEventId("222222222222"), { type: "AssumedRole", principalId: "AROAORDERSAPIEXAMPLE1:x", accountId: "111122223333" }));
    expect(s).toEqual({ skip: "unattributable", reason: expect.any(String), principalKey: "111122223333:role-id:AROAORDERSAPIEXAMPLE1" });
  });

  test("Root is the account's root", () => {
    const u = usage(byEventId("444444444444"));
    expect(u.principal).toEqual({ kind: "root", accountId: "111122223333", name: "root", arn: "arn:aws:iam::111122223333:root", key: "111122223333:root" });
    expect(u.action).toBe("iam:CreateAccessKey");
  });

  test("cross-account assumed roles keep their own account; the record's account is the recipient", () => {
    const r = withIdentity(byEventId("222222222222"), {
      type: "AssumedRole",
      arn: "arn:aws:sts::999988887777:assumed-role/auditor/jane",
      accountId: "999988887777",
      sessionContext: { sessionIssuer: { type: "Role", arn: "arn:aws:iam::999988887777:role/auditor", accountId: "999988887777", userName: "auditor" } },
    });
    const u = usage(r);
    expect(u.principal.key).toBe("999988887777:role:auditor");
    expect(u.accountId).toBe("111122223333");
  });

  test("principal objects are shared between records of the same caller and frozen", () => {
    const a = usage(byEventId("111111111111")).principal;
    const b = usage({ ...byEventId("111111111111"), eventID: "another" }).principal;
    expect(b).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });
});

describe("classifyRecord: outcomes and skips", () => {
  test("any errorCode is a denied attempt", () => {
    const u = usage(byEventId("555555555555"));
    expect(u).toMatchObject({ outcome: "denied", errorCode: "Client.UnauthorizedOperation", action: "ec2:TerminateInstances" });
    expect(usage({ ...byEventId("111111111111"), errorCode: "AccessDenied" }).outcome).toBe("denied");
    expect(usage({ ...byEventId("111111111111"), errorCode: "NoSuchBucket" }).outcome).toBe("denied");
  });

  test("AWS services acting for themselves are skipped", () => {
    expect(skip(byEventId("666666666666"))).toEqual({ skip: "aws-service", reason: "called by AWS service lambda.amazonaws.com" });
    expect(skip(withIdentity(byEventId("666666666666"), { invokedBy: "config.amazonaws.com" })).skip).toBe("aws-service");
    expect(
      skip({ ...byEventId("666666666666"), eventType: "AwsServiceEvent", userIdentity: { accountId: "111122223333", invokedBy: "AWS Internal" } }).skip,
    ).toBe("aws-service");
  });

  test("a principal's call made through a service (invokedBy) is still the principal's usage", () => {
    const r = withIdentity(byEventId("111111111111"), { ...(byEventId("111111111111").userIdentity as Rec), invokedBy: "cloudformation.amazonaws.com" });
    expect(usage(r).principal.key).toBe("111122223333:user:alice");
  });

  test("anonymous callers are skipped", () => {
    expect(skip(byEventId("777777777777"))).toEqual({ skip: "anonymous", reason: "anonymous request" });
    expect(skip(withIdentity(byEventId("777777777777"), { type: "Unknown" })).skip).toBe("anonymous");
  });

  test("federated and other unattributable callers are skipped with a key to count them by", () => {
    expect(skip(byEventId("888888888888"))).toMatchObject({
      skip: "unattributable",
      principalKey: "federated-user:arn:aws:sts::111122223333:federated-user/build-bot",
    });
    const base = byEventId("111111111111");
    expect(
      skip(
        withIdentity(base, {
          type: "SAMLUser",
          principalId: "SJ6386/LedyK8ZHpJ8KNu/0jdBc=:jane@example.com",
          userName: "jane@example.com",
          identityProvider: "SJ6386/LedyK8ZHpJ8KNu/0jdBc=",
        }),
      ),
    ).toMatchObject({ skip: "unattributable", principalKey: "saml-user:SJ6386/LedyK8ZHpJ8KNu/0jdBc=:jane@example.com" });
    expect(
      skip(withIdentity(base, { type: "WebIdentityUser", principalId: "accounts.google.com:1234", userName: "1234", identityProvider: "accounts.google.com" })),
    ).toMatchObject({
      skip: "unattributable",
      principalKey: "web-identity-user:accounts.google.com:1234",
    });
    expect(
      skip(
        withIdentity(base, {
          type: "IdentityCenterUser",
          accountId: "111122223333",
          onBehalfOf: { userId: "94482488-3041-7026-18f3-be45837cd0e4", identityStoreArn: "arn:aws:identitystore::111122223333:identitystore/d-9067230000" },
        }),
      ),
    ).toMatchObject({ skip: "unattributable", principalKey: "identity-center-user:94482488-3041-7026-18f3-be45837cd0e4" });
    expect(skip(withIdentity(base, { type: "AWSAccount", principalId: "AIDAEXTERNAL", accountId: "444455556666" }))).toMatchObject({
      skip: "unattributable",
      principalKey: "aws-account:444455556666:AIDAEXTERNAL",
    });
    expect(skip(withIdentity(base, { type: "Unknown", principalId: "1234567890", accountId: "111122223333", userName: "bob@example.com" }))).toMatchObject({
      skip: "unattributable",
      principalKey: "unknown:111122223333:bob@example.com",
    });
  });

  test("calls needing no permission are skipped, naming who made them", () => {
    expect(skip(byEventId("999999999999"))).toEqual({
      skip: "no-permission",
      reason: "GetCallerIdentity needs no IAM permission",
      principalKey: "111122223333:user:alice",
    });
    const login = { ...byEventId("444444444444"), eventSource: "signin.amazonaws.com", eventName: "ConsoleLogin", eventType: "AwsConsoleSignIn" };
    expect(skip(login)).toMatchObject({ skip: "no-permission", principalKey: "111122223333:root" });
  });

  test("Insights and network-activity events are not API calls", () => {
    expect(skip({ ...byEventId("111111111111"), eventType: "AwsCloudTrailInsight" }).skip).toBe("not-api-call");
    expect(skip({ ...byEventId("111111111111"), eventCategory: "NetworkActivity" }).skip).toBe("not-api-call");
  });

  test("broken records are malformed, not thrown", () => {
    const base = byEventId("111111111111");
    expect(skip(null).skip).toBe("malformed");
    expect(skip("text").skip).toBe("malformed");
    for (const missing of ["eventSource", "eventName", "eventID", "eventTime", "userIdentity"]) {
      const { [missing]: _, ...rest } = base;
      expect(skip(rest)).toMatchObject({ skip: "malformed", reason: expect.stringContaining(missing) });
    }
    expect(skip({ ...base, eventTime: "not a time", eventID: "x-time" }).skip).toBe("malformed");
    expect(skip(withIdentity(base, { type: "IAMUser" })).skip).toBe("malformed");
  });

  test("data events are recognized by eventCategory or managementEvent", () => {
    const invoke = { ...byEventId("222222222222"), eventSource: "lambda.amazonaws.com", eventName: "Invoke", eventCategory: undefined, managementEvent: false };
    expect(usage(invoke)).toMatchObject({ action: "lambda:InvokeFunction", dataEvent: true });
  });
});

describe("readCloudTrail", () => {
  let dir: string;
  const trailFile = (records: Rec[]) => JSON.stringify({ Records: records });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "gov-cloudtrail-"));
    const day = path.join(dir, "AWSLogs", "111122223333", "CloudTrail", "eu-west-1", "2024", "06", "01");
    const otherDay = path.join(dir, "AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2024", "06", "02");
    await mkdir(day, { recursive: true });
    await mkdir(otherDay, { recursive: true });
    await mkdir(path.join(dir, "AWSLogs", "111122223333", "CloudTrail-Digest", "eu-west-1"), { recursive: true });
    await writeFile(path.join(day, "111122223333_CloudTrail_eu-west-1_20240601T0900Z_b.json.gz"), gzipSync(trailFile(records.slice(0, 2))));
    await writeFile(path.join(day, "111122223333_CloudTrail_eu-west-1_20240601T0905Z_a.json"), trailFile(records.slice(2, 3)));
    await writeFile(path.join(otherDay, "111122223333_CloudTrail_us-east-1_20240602T0000Z_c.json.gz"), gzipSync(trailFile(records.slice(3))));
    await writeFile(path.join(otherDay, "111122223333_CloudTrail_us-east-1_20240602T0005Z_broken.json.gz"), gzipSync('{"Records": [ {"eventID": '));
    await writeFile(path.join(otherDay, "111122223333_CloudTrail_us-east-1_20240602T0010Z_notgz.json.gz"), "this is not gzip or json");
    await writeFile(path.join(otherDay, "111122223333_CloudTrail_us-east-1_20240602T0015Z_shape.json"), JSON.stringify({ records: [] }));
    await writeFile(path.join(otherDay, "README.txt"), "ignored");
    await writeFile(
      path.join(dir, "AWSLogs", "111122223333", "CloudTrail-Digest", "eu-west-1", "111122223333_CloudTrail-Digest_eu-west-1_trail_20240601T0900Z.json.gz"),
      gzipSync("{}"),
    );
    await writeFile(path.join(day, "111122223333_CloudTrail-Digest_eu-west-1_trail_x.json.gz"), gzipSync("{}"));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const readAll = async (paths: string[]) => {
    const out: TrailFile[] = [];
    for await (const f of readCloudTrail(paths)) out.push(f);
    return out;
  };

  test("reads plain and gzipped files in nested directories in sorted order, reporting bad files and continuing", async () => {
    const files = await readAll([dir]);
    const names = files.map((f) => path.basename(f.file));
    expect(names).toEqual([
      "111122223333_CloudTrail_eu-west-1_20240601T0900Z_b.json.gz",
      "111122223333_CloudTrail_eu-west-1_20240601T0905Z_a.json",
      "111122223333_CloudTrail_us-east-1_20240602T0000Z_c.json.gz",
      "111122223333_CloudTrail_us-east-1_20240602T0005Z_broken.json.gz",
      "111122223333_CloudTrail_us-east-1_20240602T0010Z_notgz.json.gz",
      "111122223333_CloudTrail_us-east-1_20240602T0015Z_shape.json",
    ]);
    const ok = files.filter((f): f is { file: string; records: unknown[] } => "records" in f);
    expect(ok.map((f) => f.records.length)).toEqual([2, 1, records.length - 3]);
    expect(ok.flatMap((f) => f.records)).toEqual(records);
    const errors = files.filter((f): f is { file: string; error: string } => "error" in f);
    expect(errors).toHaveLength(3);
    expect(errors[0].error).toMatch(/JSON/);
    expect(errors[2].error).toMatch(/expected a CloudTrail log file/);
    expect(files.every((f) => path.isAbsolute(f.file))).toBe(true);
  });

  test("accepts files named directly, dedupes overlaps, and reports a missing path without stopping", async () => {
    const one = path.join(
      dir,
      "AWSLogs",
      "111122223333",
      "CloudTrail",
      "eu-west-1",
      "2024",
      "06",
      "01",
      "111122223333_CloudTrail_eu-west-1_20240601T0905Z_a.json",
    );
    const files = await readAll([path.join(dir, "nope"), one, path.dirname(one)]);
    expect(files[0]).toEqual({ file: path.join(dir, "nope"), error: expect.stringMatching(/ENOENT/) });
    expect(files.slice(1).map((f) => path.basename(f.file))).toEqual([
      "111122223333_CloudTrail_eu-west-1_20240601T0900Z_b.json.gz",
      "111122223333_CloudTrail_eu-west-1_20240601T0905Z_a.json",
    ]);
  });

  test("reads `aws cloudtrail lookup-events` output", async () => {
    const file = path.join(dir, "lookup-events.json");
    await writeFile(
      file,
      JSON.stringify({ Events: records.slice(0, 2).map((r) => ({ EventId: r.eventID, EventName: r.eventName, CloudTrailEvent: JSON.stringify(r) })) }),
    );
    const [f] = await readAll([file]);
    expect(f).toEqual({ file, records: records.slice(0, 2) });
    await rm(file);
  });

  test("survives symlink loops", async () => {
    const loopDir = await mkdtemp(path.join(tmpdir(), "gov-cloudtrail-loop-"));
    await writeFile(path.join(loopDir, "a.json"), trailFile(records.slice(0, 1)));
    await symlink(loopDir, path.join(loopDir, "again"));
    const files = await readAll([loopDir]);
    expect(files.map((f) => path.basename(f.file))).toContain("a.json");
    expect(files.filter((f) => "records" in f).length).toBeGreaterThanOrEqual(1);
    await rm(loopDir, { recursive: true, force: true });
  });

  test("everything read classifies", async () => {
    const kinds: string[] = [];
    for await (const f of readCloudTrail([dir])) {
      if ("records" in f) for (const r of f.records) kinds.push("skip" in classifyRecord(r) ? "skip" : "usage");
    }
    expect(kinds.filter((k) => k === "usage")).toHaveLength(5);
    expect(kinds).toHaveLength(records.length);
  });
});
