/**
 * npm run bench:ingest — CloudTrail ingestion throughput into PostgreSQL.
 *
 * Generates a CloudTrail-shaped log under a temporary directory (BENCH_RECORDS,
 * default 2,000,000 records, in gzipped files of 5–10k records laid out as AWS
 * delivers them: AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/…json.gz) for
 * a few hundred IAM users and roles of one account (BENCH_PRINCIPALS, default
 * 350), with management and data events, ~2% errors, AWS-service callers,
 * console sign-ins and principals the inventory does not know. Imports the
 * account's IAM first (authorization details with wildcard policies and a
 * credential report), then times `importCloudTrail` and prints records/s and
 * usage events stored/s; then imports one more small file for one identity and
 * measures how long until `gov reconcile` (reconcileIdentity) shows it.
 *
 *   createdb -h 127.0.0.1 -U postgres bench_ingest
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ingest npm run bench:ingest
 *
 * Target (printed, never asserted): at least 100,000 records/s.
 * BENCH_KEEP=1 keeps the generated files, BENCH_FILES=<dir> imports kept ones again (into a
 * database that does not hold them yet); BENCH_DAYS (default 7) is the span of the logs;
 * BENCH_WRITERS and BENCH_BATCH override the import's writers (2) and batch size (25,000).
 */
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { gzip as gzipCb, constants as zlibConstants } from "node:zlib";
import { count, sql } from "drizzle-orm";
import { openDatabase, resolveTarget } from "@/db/client";
import { migrate } from "@/db/migrate";
import { queryRows } from "@/db/rows";
import { usageEvents } from "@/db/schema";
import { importAwsIam } from "@/lib/ingest/import-aws-iam";
import { classifyRecord, readCloudTrail } from "@/lib/ingest/aws/cloudtrail";
import { importCloudTrail } from "@/lib/ingest/aws/cloudtrail-import";
import { installJobs } from "@/lib/runtime/job-runner";
import { reconcileIdentity } from "@/lib/reconciliation/actions";
import { useBenchAuditKey } from "./audit-key";
import { machineBusySeconds } from "./stats";

const gzip = promisify(gzipCb);
const RECORDS = Number(process.env.BENCH_RECORDS ?? 2_000_000);
const PRINCIPALS = Number(process.env.BENCH_PRINCIPALS ?? 350);
const DAYS = Number(process.env.BENCH_DAYS ?? 7);
const ACCOUNT = process.env.BENCH_ACCOUNT ?? "409876543210";
const TARGET = 100_000;
const REGIONS = ["eu-west-1", "us-east-1", "eu-central-1"];

const target = resolveTarget();
if (target.kind !== "postgres") {
  console.error("bench:ingest measures PostgreSQL: set DATABASE_URL=postgres://… (a database of its own; PGlite is not a target for millions of records).");
  process.exit(2);
}

// ---------------------------------------------------------------------------
// Deterministic randomness for the inventory; event ids are fresh on every run.

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(20260501);
const pick = <T>(list: readonly T[], r = rand) => list[Math.floor(r() * list.length)];
/** Zipf-ish: early entries far more often than late ones. */
const skewed = <T>(list: readonly T[], r = rand) => list[Math.floor(list.length * r() * r())];
const hex = (n: number, r = rand) => Array.from({ length: n }, () => "0123456789ABCDEF"[Math.floor(r() * 16)]).join("");
const enc = (doc: unknown) => encodeURIComponent(JSON.stringify(doc));

// ---------------------------------------------------------------------------
// The account's IAM

type Api = { source: string; name: string; readOnly: boolean; data?: "s3" | "dynamodb" | "lambda" };
const MANAGEMENT: Api[] = [
  { source: "ec2", name: "DescribeInstances", readOnly: true },
  { source: "ec2", name: "DescribeSecurityGroups", readOnly: true },
  { source: "ec2", name: "DescribeVolumes", readOnly: true },
  { source: "ec2", name: "DescribeSubnets", readOnly: true },
  { source: "ec2", name: "RunInstances", readOnly: false },
  { source: "ec2", name: "TerminateInstances", readOnly: false },
  { source: "ec2", name: "CreateTags", readOnly: false },
  { source: "s3", name: "ListBuckets", readOnly: true },
  { source: "s3", name: "GetBucketPolicy", readOnly: true },
  { source: "s3", name: "GetBucketLocation", readOnly: true },
  { source: "s3", name: "PutBucketPolicy", readOnly: false },
  { source: "iam", name: "ListRoles", readOnly: true },
  { source: "iam", name: "GetRole", readOnly: true },
  { source: "iam", name: "ListAttachedRolePolicies", readOnly: true },
  { source: "iam", name: "CreateUser", readOnly: false },
  { source: "iam", name: "AttachRolePolicy", readOnly: false },
  { source: "sts", name: "AssumeRole", readOnly: true },
  { source: "kms", name: "Decrypt", readOnly: true },
  { source: "kms", name: "GenerateDataKey", readOnly: true },
  { source: "secretsmanager", name: "GetSecretValue", readOnly: true },
  { source: "ssm", name: "GetParameter", readOnly: true },
  { source: "ssm", name: "GetParameters", readOnly: true },
  { source: "logs", name: "CreateLogStream", readOnly: false },
  { source: "logs", name: "DescribeLogGroups", readOnly: true },
  { source: "ecr", name: "GetAuthorizationToken", readOnly: true },
  { source: "ecr", name: "BatchGetImage", readOnly: true },
  { source: "cloudformation", name: "DescribeStacks", readOnly: true },
  { source: "rds", name: "DescribeDBInstances", readOnly: true },
  { source: "eks", name: "DescribeCluster", readOnly: true },
  { source: "dynamodb", name: "DescribeTable", readOnly: true },
  { source: "sns", name: "Publish", readOnly: false },
];
const DATA: Api[] = [
  { source: "s3", name: "GetObject", readOnly: true, data: "s3" },
  { source: "s3", name: "PutObject", readOnly: false, data: "s3" },
  { source: "s3", name: "HeadObject", readOnly: true, data: "s3" },
  { source: "s3", name: "DeleteObject", readOnly: false, data: "s3" },
  { source: "dynamodb", name: "GetItem", readOnly: true, data: "dynamodb" },
  { source: "dynamodb", name: "PutItem", readOnly: false, data: "dynamodb" },
  { source: "dynamodb", name: "Query", readOnly: true, data: "dynamodb" },
  { source: "lambda", name: "Invoke", readOnly: false, data: "lambda" },
];

const policyArn = (name: string) => `arn:aws:iam::${ACCOUNT}:policy/${name}`;
const POLICIES: { name: string; statements: object[] }[] = [
  { name: "BenchAdministrator", statements: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
  {
    name: "BenchReadOnly",
    statements: [
      {
        Effect: "Allow",
        Action: [
          "ec2:Describe*",
          "s3:Get*",
          "s3:List*",
          "iam:Get*",
          "iam:List*",
          "logs:Describe*",
          "rds:Describe*",
          "cloudformation:Describe*",
          "eks:Describe*",
          "dynamodb:Describe*",
        ],
        Resource: "*",
      },
    ],
  },
  {
    name: "BenchEc2Operator",
    statements: [
      { Effect: "Allow", Action: ["ec2:*"], Resource: "*" },
      { Effect: "Deny", Action: ["ec2:TerminateInstances"], Resource: "*", Condition: { StringNotEquals: { "aws:RequestedRegion": "eu-west-1" } } },
    ],
  },
  {
    name: "BenchDataReader",
    statements: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket", "dynamodb:GetItem", "dynamodb:Query", "kms:Decrypt"], Resource: "*" }],
  },
  {
    name: "BenchDataWriter",
    statements: [
      { Effect: "Allow", Action: ["s3:PutObject", "s3:DeleteObject", "dynamodb:PutItem", "kms:GenerateDataKey"], Resource: "arn:aws:s3:::bench-*/*" },
    ],
  },
  { name: "BenchSecrets", statements: [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "ssm:GetParameter*"], Resource: "*" }] },
  {
    name: "BenchDeploy",
    statements: [
      {
        Effect: "Allow",
        Action: ["cloudformation:*", "ecr:*", "lambda:*", "iam:PassRole", "sns:Publish", "logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: "*",
      },
    ],
  },
  { name: "BenchNoIam", statements: [{ Effect: "Deny", Action: ["iam:CreateUser", "iam:AttachRolePolicy"], Resource: "*" }] },
];
const GROUPS = [
  { name: "bench-developers", policies: ["BenchReadOnly", "BenchDataReader"] },
  { name: "bench-operators", policies: ["BenchEc2Operator", "BenchSecrets"] },
  { name: "bench-admins", policies: ["BenchAdministrator"] },
];

type Principal = { kind: "user" | "role"; name: string; path: string; arn: string; id: string; identity: string; apis: Api[] };

function buildPrincipals(): Principal[] {
  const out: Principal[] = [];
  const users = Math.round(PRINCIPALS * 0.55);
  for (let i = 0; i < PRINCIPALS; i++) {
    const kind = i < users ? "user" : "role";
    const name = kind === "user" ? (i % 3 === 0 ? `svc-batch-${i}` : `engineer-${i}`) : `app-${["orders", "payments", "search", "etl", "ci"][i % 5]}-${i}`;
    const p = kind === "user" ? (i % 3 === 0 ? "/automation/" : "/") : "/service/";
    const arn = `arn:aws:iam::${ACCOUNT}:${kind}${p}${name}`;
    const id = `${kind === "user" ? "AIDA" : "AROA"}${hex(17)}`;
    const identity =
      kind === "user" ? JSON.stringify({ type: "IAMUser", principalId: id, arn, accountId: ACCOUNT, accessKeyId: `AKIA${hex(16)}`, userName: name }) : ""; // assumed-role identities carry the session name, built per record
    // Each principal uses a handful of APIs, some it may not hold.
    const apis = Array.from({ length: 6 + Math.floor(rand() * 14) }, () => (rand() < 0.3 ? pick(DATA) : pick(MANAGEMENT)));
    out.push({ kind, name, path: p, arn, id, identity, apis });
  }
  return out;
}

function authorizationDetails(principals: Principal[]) {
  const created = "2022-01-10T09:00:00+00:00";
  const attach = (names: string[]) => names.map((n) => ({ PolicyName: n, PolicyArn: policyArn(n) }));
  return {
    UserDetailList: principals
      .filter((p) => p.kind === "user")
      .map((p, i) => ({
        Path: p.path,
        UserName: p.name,
        UserId: p.id,
        Arn: p.arn,
        CreateDate: created,
        UserPolicyList:
          i % 7 === 0
            ? [
                {
                  PolicyName: "own-bucket",
                  PolicyDocument: enc({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: `arn:aws:s3:::${p.name}/*` }] }),
                },
              ]
            : [],
        GroupList: [GROUPS[i % 10 === 0 ? 2 : i % 3 === 0 ? 1 : 0].name],
        AttachedManagedPolicies: attach(i % 4 === 0 ? ["BenchDataWriter"] : []),
        Tags: i % 3 === 0 ? [{ Key: "team", Value: "platform" }] : [{ Key: "identity-kind", Value: "human" }],
      })),
    GroupDetailList: GROUPS.map((g) => ({
      Path: "/",
      GroupName: g.name,
      GroupId: `AGPA${hex(17)}`,
      Arn: `arn:aws:iam::${ACCOUNT}:group/${g.name}`,
      CreateDate: created,
      GroupPolicyList: [],
      AttachedManagedPolicies: attach(g.policies),
    })),
    RoleDetailList: principals
      .filter((p) => p.kind === "role")
      .map((p, i) => ({
        Path: p.path,
        RoleName: p.name,
        RoleId: p.id,
        Arn: p.arn,
        CreateDate: created,
        AssumeRolePolicyDocument: enc({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: i % 2 ? "lambda.amazonaws.com" : "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        InstanceProfileList: [],
        RolePolicyList:
          i % 5 === 0
            ? [
                {
                  PolicyName: "queue-access",
                  PolicyDocument: enc({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["sqs:*", "sns:Publish"], Resource: "*" }] }),
                },
              ]
            : [],
        AttachedManagedPolicies: attach(
          [
            ["BenchDataReader", "BenchDataWriter"],
            ["BenchDeploy"],
            ["BenchReadOnly", "BenchSecrets"],
            ["BenchEc2Operator", "BenchNoIam"],
            ["BenchAdministrator"],
          ][i % 5],
        ),
        Tags: [{ Key: "purpose", Value: `${p.name} workload` }],
        RoleLastUsed: { LastUsedDate: new Date().toISOString(), Region: "eu-west-1" },
      })),
    Policies: POLICIES.map((p) => ({
      PolicyName: p.name,
      PolicyId: `ANPA${hex(17)}`,
      Arn: policyArn(p.name),
      Path: "/",
      DefaultVersionId: "v1",
      AttachmentCount: 1,
      IsAttachable: true,
      CreateDate: created,
      UpdateDate: created,
      PolicyVersionList: [{ Document: enc({ Version: "2012-10-17", Statement: p.statements }), VersionId: "v1", IsDefaultVersion: true, CreateDate: created }],
    })),
  };
}

function credentialReport(principals: Principal[]) {
  const header =
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";
  const rows = principals
    .filter((p) => p.kind === "user")
    .map((p) => {
      const bot = p.name.startsWith("svc-");
      return `${p.name},${p.arn},2022-01-10T09:00:00+00:00,${bot ? "false" : "true"},N/A,N/A,N/A,${bot ? "false" : "true"},${bot ? "true,2023-02-01T00:00:00+00:00,N/A,N/A,N/A" : "false,N/A,N/A,N/A,N/A"},false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`;
    });
  return [header, ...rows].join("\n") + "\n";
}

// ---------------------------------------------------------------------------
// CloudTrail records, written as JSON text directly (the values need no escaping).

const AGENTS = [
  "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
  "Boto3/1.34.74 md/Botocore#1.34.74 ua/2.0 os/linux#6.1 lang/python#3.12.2",
  "aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 api/ec2#1.152.0",
  "terraform-provider-aws/5.43.0 (+https://registry.terraform.io)",
];
const ERRORS = [
  ["AccessDenied", "User is not authorized to perform this operation"],
  ["Client.UnauthorizedOperation", "You are not authorized to perform this operation."],
  ["ThrottlingException", "Rate exceeded"],
];
const GHOSTS = Array.from({ length: 12 }, (_, i) => `retired-role-${i}`);

function requestParameters(api: Api, region: string) {
  switch (api.data) {
    case "s3":
      return `{"bucketName":"bench-data-${region}","Host":"bench-data-${region}.s3.${region}.amazonaws.com","key":"exports/2026/part-${Math.floor(rand() * 1e6)}.parquet"}`;
    case "dynamodb":
      return `{"tableName":"orders","key":{"pk":"ORDER#${Math.floor(rand() * 1e7)}"},"consistentRead":false}`;
    case "lambda":
      return `{"functionName":"arn:aws:lambda:${region}:${ACCOUNT}:function:worker-${Math.floor(rand() * 40)}","invocationType":"RequestResponse"}`;
  }
  if (api.name.startsWith("Describe") || api.name.startsWith("List"))
    return `{"maxResults":${pick([50, 100, 1000])},"filterSet":{"items":[{"name":"tag:team","valueSet":{"items":[{"value":"platform"}]}}]}}`;
  return `{"resourceId":"res-${hex(12)}","clientToken":"${randomUUID()}"}`;
}

function record(at: number, region: string, principals: Principal[]): string {
  const roll = rand();
  const time = new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z");
  const common = (api: Api) =>
    `"eventTime":"${time}","eventSource":"${api.source}.amazonaws.com","eventName":"${api.name}","awsRegion":"${region}","sourceIPAddress":"10.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}","userAgent":"${pick(AGENTS)}"`;
  const tail = (api: Api, extra = "") =>
    `"requestParameters":${requestParameters(api, region)},"responseElements":null,${extra}"requestID":"${randomUUID()}","eventID":"${randomUUID()}","readOnly":${api.readOnly},` +
    (api.data
      ? `"resources":[{"type":"${api.data === "s3" ? "AWS::S3::Object" : api.data === "dynamodb" ? "AWS::DynamoDB::Table" : "AWS::Lambda::Function"}","ARN":"arn:aws:${api.data}:::bench-${api.data}"}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"${ACCOUNT}","eventCategory":"Data"`
      : `"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"${ACCOUNT}","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"${api.source}.${region}.amazonaws.com"}`);
  if (roll < 0.07) {
    // An AWS service acting on its own account (KMS for S3, STS for Lambda).
    const api = pick([MANAGEMENT[16], MANAGEMENT[17], MANAGEMENT[18]]);
    return `{"eventVersion":"1.09","userIdentity":{"type":"AWSService","invokedBy":"${pick(["lambda", "s3", "ecs-tasks", "cloudformation"])}.amazonaws.com"},${common(api)},${tail(api)}}`;
  }
  if (roll < 0.08) {
    return `{"eventVersion":"1.09","eventTime":"${time}","eventSource":"health.amazonaws.com","eventName":"HealthEvent","awsRegion":"${region}","eventID":"${randomUUID()}","eventType":"AwsServiceEvent","managementEvent":true,"recipientAccountId":"${ACCOUNT}","eventCategory":"Management","serviceEventDetails":{"eventTypeCode":"AWS_EC2_OPERATIONAL_ISSUE"}}`;
  }
  if (roll < 0.11) {
    // Roles deleted from IAM (or never imported) still appear in old logs.
    const role = pick(GHOSTS);
    const api = pick(MANAGEMENT);
    return `{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROA${hex(17)}:s-${Math.floor(rand() * 100)}","arn":"arn:aws:sts::${ACCOUNT}:assumed-role/${role}/s-${Math.floor(rand() * 100)}","accountId":"${ACCOUNT}"},${common(api)},${tail(api)}}`;
  }
  if (roll < 0.115) {
    const api = DATA[0];
    return `{"eventVersion":"1.09","userIdentity":{"type":"AWSAccount","principalId":"","accountId":"ANONYMOUS_PRINCIPAL"},${common(api)},${tail(api)}}`;
  }
  const p = skewed(principals);
  const session = `${p.name}-${Math.floor(rand() * 20)}`;
  const identity =
    p.kind === "user"
      ? p.identity
      : `{"type":"AssumedRole","principalId":"${p.id}:${session}","arn":"arn:aws:sts::${ACCOUNT}:assumed-role/${p.name}/${session}","accountId":"${ACCOUNT}","accessKeyId":"ASIA${hex(16)}","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"${p.id}","arn":"${p.arn}","accountId":"${ACCOUNT}","userName":"${p.name}"},"webIdFederationData":{},"attributes":{"creationDate":"${time}","mfaAuthenticated":"false"}}}`;
  if (roll < 0.12) {
    return `{"eventVersion":"1.09","userIdentity":${identity},"eventTime":"${time}","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.${Math.floor(rand() * 255)}","eventID":"${randomUUID()}","eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"${ACCOUNT}","eventCategory":"Management","responseElements":{"ConsoleLogin":"Success"}}`;
  }
  if (roll < 0.14) {
    const api = { source: "sts", name: "GetCallerIdentity", readOnly: true };
    return `{"eventVersion":"1.09","userIdentity":${identity},${common(api)},${tail(api)}}`;
  }
  const api = skewed(p.apis);
  const error = rand() < 0.02 ? pick(ERRORS) : null;
  return `{"eventVersion":"1.09","userIdentity":${identity},${common(api)},${error ? `"errorCode":"${error[0]}","errorMessage":"${error[1]}",` : ""}${tail(api)}}`;
}

async function generate(dir: string, principals: Principal[], total: number) {
  // Busy callers are users and roles alike: the skew runs over a shuffled list.
  const traffic = [...principals].sort(() => rand() - 0.5);
  const end = Date.now() - 3_600_000;
  const start = end - DAYS * 86_400_000;
  const sizes: number[] = [];
  for (let left = total; left > 0;) {
    const n = Math.min(left, 5000 + Math.floor(rand() * 5001));
    sizes.push(n);
    left -= n;
  }
  const span = (end - start) / sizes.length;
  let bytes = 0;
  let raw = 0;
  const write = async (i: number) => {
    const region = REGIONS[i % REGIONS.length];
    const from = start + i * span;
    const lines: string[] = new Array(sizes[i]);
    for (let k = 0; k < sizes[i]; k++) lines[k] = record(from + (k / sizes[i]) * span, region, traffic);
    const text = `{"Records":[${lines.join(",")}]}`;
    const d = new Date(from);
    const stamp = d.toISOString().replace(/[-:]/g, "").slice(0, 13);
    const folder = path.join(
      dir,
      "AWSLogs",
      ACCOUNT,
      "CloudTrail",
      region,
      d.toISOString().slice(0, 4),
      d.toISOString().slice(5, 7),
      d.toISOString().slice(8, 10),
    );
    await mkdir(folder, { recursive: true });
    const body = await gzip(text, { level: zlibConstants.Z_BEST_SPEED });
    raw += text.length;
    bytes += body.length;
    await writeFile(path.join(folder, `${ACCOUNT}_CloudTrail_${region}_${stamp}Z_${hex(16)}.json.gz`), body);
  };
  // Build one file while the previous one is compressed and written.
  let pending: Promise<void> = Promise.resolve();
  for (let i = 0; i < sizes.length; i++) {
    const next = write(i);
    await pending;
    pending = next;
  }
  await pending;
  return { files: sizes.length, bytes, raw };
}

// ---------------------------------------------------------------------------

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
useBenchAuditKey();
const database = await openDatabase(target);
await migrate(database);
await installJobs(database);
const { db } = database;

const principals = buildPrincipals();
const t0 = performance.now();
const iam = await importAwsIam(db, { authorizationDetails: authorizationDetails(principals), credentialReport: credentialReport(principals) });
console.log(
  `IAM of account ${ACCOUNT}: ${principals.length} principals (${Object.entries(iam.kinds)
    .map(([k, n]) => `${n} ${k}`)
    .join(", ")}), ` +
    `${iam.entitlements.created + iam.entitlements.updated} entitlements changed, ${iam.grants.added} grants added, in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

const [{ n: before }] = await db.select({ n: count() }).from(usageEvents);
const reuse = process.env.BENCH_FILES;
const dir = reuse ?? (await mkdtemp(path.join(tmpdir(), "bench-cloudtrail-")));
if (reuse) {
  console.log(`reusing the logs under ${dir} (BENCH_FILES): import them into a database that does not hold them yet`);
} else {
  const g0 = performance.now();
  const gen = await generate(path.join(dir, "bulk"), principals, RECORDS);
  console.log(
    `generated ${RECORDS.toLocaleString("en")} records in ${gen.files} files (${mb(gen.raw)} of JSON, ${mb(gen.bytes)} gzipped) under ${dir} in ${((performance.now() - g0) / 1000).toFixed(1)} s`,
  );
}
console.log(`usage_events already holds ${before.toLocaleString("en")} rows\n`);

const cpu0 = process.cpuUsage();
const busy0 = machineBusySeconds();
let lastReport = 0;
const s = await importCloudTrail(db, [path.join(dir, "bulk")], {
  writers: process.env.BENCH_WRITERS ? Number(process.env.BENCH_WRITERS) : undefined,
  batchSize: process.env.BENCH_BATCH ? Number(process.env.BENCH_BATCH) : undefined,
  onBatch: (p) => {
    if (performance.now() - lastReport < 5000) return;
    lastReport = performance.now();
    process.stdout.write(`  … ${p.records.toLocaleString("en")} records, ${p.usage.inserted.toLocaleString("en")} events stored\n`);
  },
});
const importerCpu = (() => {
  const u = process.cpuUsage(cpu0);
  return (u.user + u.system) / 1e6;
})();
const machineCpu = busy0 === null ? null : machineBusySeconds()! - busy0;
const secs = s.elapsedMs / 1000;
const rate = Math.round(s.records / secs);
console.log(`import cloudtrail: ${s.files} files, ${s.records.toLocaleString("en")} records in ${secs.toFixed(1)} s`);
console.log(`  ${rate.toLocaleString("en")} records/s (target ≥ ${TARGET.toLocaleString("en")}: ${rate >= TARGET ? "met" : "NOT met"})`);
console.log(
  `  ${s.usage.inserted.toLocaleString("en")} usage events stored (${Math.round(s.usage.inserted / secs).toLocaleString("en")} events/s), ${s.usage.denied.toLocaleString("en")} of them denied attempts, ${s.usage.duplicates.toLocaleString("en")} duplicates`,
);
console.log(
  `  skipped: ${Object.entries(s.skipped)
    .map(([k, n]) => `${n.toLocaleString("en")} ${k}`)
    .join(", ")}; ${s.unknownPrincipals.length} unknown principals; data events: ${s.coveredServices.join(", ")}`,
);

// Where the CPU went: the importer's process (reading, parsing, classifying, building batches) and the
// rest of the machine (PostgreSQL storing and folding them), against the cores there are.
console.log(
  `  CPU: importer ${importerCpu.toFixed(1)} s (${(importerCpu / secs).toFixed(2)} cores)` +
    (machineCpu === null
      ? ""
      : `, rest of the machine (PostgreSQL) ${(machineCpu - importerCpu).toFixed(1)} s (${((machineCpu - importerCpu) / secs).toFixed(2)} cores)`) +
    ` of ${os.availableParallelism()} cores; ${((importerCpu * 1e6) / s.records).toFixed(1)} µs importer` +
    (machineCpu === null ? "" : ` + ${(((machineCpu - importerCpu) * 1e6) / s.records).toFixed(1)} µs database`) +
    ` per record` +
    (machineCpu === null
      ? ""
      : `; database ${(((machineCpu - importerCpu) * 1e6) / Math.max(1, s.usage.inserted)).toFixed(1)} µs per stored event (target < 8 µs: ${((machineCpu - importerCpu) * 1e6) / Math.max(1, s.usage.inserted) < 8 ? "met" : "NOT met"})`),
);

// The same files read, gunzipped, parsed and classified without storing anything: the ceiling of this machine.
{
  const r0 = performance.now();
  let records = 0;
  for await (const file of readCloudTrail([path.join(dir, "bulk")]))
    if ("records" in file)
      for (const record of file.records) {
        classifyRecord(record);
        records++;
      }
  const readSecs = (performance.now() - r0) / 1000;
  const readRate = records / readSecs;
  const ratio = s.records / secs / readRate;
  console.log(`  reading and classifying alone (no database): ${Math.round(readRate).toLocaleString("en")} records/s`);
  console.log(`  import / read-and-classify: ${(ratio * 100).toFixed(0)}% (target ≥ 90%: ${ratio >= 0.9 ? "met" : "NOT met"})`);
}

// Freshness: one more small file for one identity, then reconcile until it shows.
const who = principals.find((p) => p.kind === "role" && p.name.includes("deploy")) ?? principals.find((p) => p.kind === "role")!;
const FRESH = 250;
const now = Date.now();
const fresh = Array.from({ length: FRESH }, (_, i) => {
  const session = `${who.name}-fresh`;
  const time = new Date(now - (FRESH - i) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  return `{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"${who.id}:${session}","arn":"arn:aws:sts::${ACCOUNT}:assumed-role/${who.name}/${session}","accountId":"${ACCOUNT}","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"${who.id}","arn":"${who.arn}","accountId":"${ACCOUNT}","userName":"${who.name}"}}},"eventTime":"${time}","eventSource":"ec2.amazonaws.com","eventName":"CreateSnapshot","awsRegion":"eu-west-1","eventID":"${randomUUID()}","eventType":"AwsApiCall","managementEvent":true,"eventCategory":"Management","recipientAccountId":"${ACCOUNT}"}`;
});
const freshFile = path.join(dir, "fresh", `${ACCOUNT}_CloudTrail_eu-west-1_fresh.json.gz`);
await mkdir(path.dirname(freshFile), { recursive: true });
await writeFile(freshFile, await gzip(`{"Records":[${fresh.join(",")}]}`));
const countOf = async () => (await reconcileIdentity(db, { identity: who.arn })).actions.find((a) => a.action === "ec2:CreateSnapshot")?.count ?? 0;
const had = await countOf();
const f0 = performance.now();
const small = await importCloudTrail(db, [freshFile]);
const imported = performance.now() - f0;
let polls = 0;
let seen = 0;
while ((seen = await countOf()) < had + FRESH) {
  polls++;
  if (performance.now() - f0 > 60_000) break;
  await new Promise((r) => setTimeout(r, 50));
}
const visible = performance.now() - f0;
console.log(
  `\nfreshness: ${FRESH} new events for ${who.name}; the import took ${imported.toFixed(0)} ms and reconcileIdentity showed ${seen - had} of them ${visible.toFixed(0)} ms after the import started ` +
    `(${(visible - imported).toFixed(0)} ms after it returned, ${polls === 0 ? "on the first read: immediate, roll-ups are written in the import's own transaction" : `after ${polls} more reads`}; ${small.usage.inserted} stored)`,
);

const [sizes] = await queryRows<{ events: string; rollups: string }>(
  db,
  // usage_events is partitioned: its size is its months'.
  sql`select pg_size_pretty((select sum(pg_total_relation_size(inhrelid)) from pg_inherits where inhparent = 'usage_events'::regclass)) as events, pg_size_pretty(pg_total_relation_size('usage_action_daily')) as rollups`,
);
console.log(`usage_events now ${sizes.events} on disk, usage_action_daily ${sizes.rollups}`);
if (process.env.BENCH_KEEP === "1" || reuse) console.log(`kept ${dir} (BENCH_FILES=${dir} reuses it)`);
else await rm(dir, { recursive: true, force: true });
await database.close();
