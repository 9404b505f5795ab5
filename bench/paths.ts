/**
 * npm run bench:paths — the escalation analysis at the size of a large AWS account.
 *
 * Generates a `get-account-authorization-details` export (seeded, the same on
 * every run) with BENCH_USERS (3,800) users, BENCH_ROLES (6,000) roles and
 * BENCH_GROUPS (200) groups, about 10,000 principals, holding BENCH_POLICIES
 * (50,000) policies, managed and inline, with the mix an old account has:
 * mostly scoped data access, and among it PassRole with compute (Lambda, EC2,
 * ECS, Glue, CodeBuild, CloudFormation), AssumeRole chains through trust
 * policies that name roles, users, the account, other accounts and "*", IAM
 * writes, denies, permissions boundaries and conditions (MFA, source IP,
 * region, external id). Imports it, runs the full analysis, then repeats
 * BENCH_ROUNDS (5) incremental rounds: one customer-managed policy changes
 * (and, as in any fresh export, some roles' RoleLastUsed moves), the export is
 * re-imported and the analysis runs again.
 *
 *   createdb -h 127.0.0.1 -U postgres bench_paths
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_paths npm run bench:paths
 *   dropdb -h 127.0.0.1 -U postgres bench_paths
 *
 * Without DATABASE_URL it runs on PGlite in a temporary directory (removed after).
 * Targets (printed, never asserted): full analysis under 30 s; re-import of one
 * changed policy plus analysis under 2 s.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { count, eq, sql } from "drizzle-orm";
import { openDatabase, resolveTarget, type DatabaseTarget } from "@/db/client";
import { migrate } from "@/db/migrate";
import { findings, identities, identityEscalations } from "@/db/schema";
import { runEscalationAnalysis, type EscalationSummary } from "@/lib/escalation/run";
import { importAwsIam } from "@/lib/ingest/import-aws-iam";
import { installJobs } from "@/lib/runtime/job-runner";
import { useBenchAuditKey } from "./audit-key";
import { seeded, type Random } from "./random";
import { percentile } from "./stats";

const USERS = Number(process.env.BENCH_USERS ?? 3_800);
const ROLES = Number(process.env.BENCH_ROLES ?? 6_000);
const GROUPS = Number(process.env.BENCH_GROUPS ?? 200);
const POLICIES = Number(process.env.BENCH_POLICIES ?? 50_000);
const ROUNDS = Math.max(1, Math.min(50, Number(process.env.BENCH_ROUNDS ?? 5)));
const ACCOUNT = "512345678901";
const PARTNER = "998877665544";
const TARGET_FULL_MS = 30_000;
const TARGET_INCREMENTAL_MS = 2_000;

// ---------------------------------------------------------------------------
// The export

type Doc = Record<string, unknown>;
type Stmt = { Sid?: string; Effect: "Allow" | "Deny"; Action?: string | string[]; NotAction?: string[]; Resource: string | string[]; Condition?: Doc };
const arn = (kind: string, name: string) => `arn:aws:iam::${ACCOUNT}:${kind}/${name}`;
const policyDoc = (statements: Stmt[]) => ({ Version: "2012-10-17", Statement: statements });
const created = "2023-03-01T09:00:00Z";

const TEAMS = [
  "payments",
  "ledger",
  "search",
  "checkout",
  "identity",
  "platform",
  "data",
  "ml",
  "mobile",
  "web",
  "infra",
  "risk",
  "billing",
  "growth",
  "support",
  "ops",
];
const REGIONS = ["eu-west-1", "us-east-1", "eu-central-1", "ap-southeast-2"];
const SERVICES = [
  { principal: "lambda.amazonaws.com", share: 0.16, profile: false },
  { principal: "ec2.amazonaws.com", share: 0.1, profile: true },
  { principal: "ecs-tasks.amazonaws.com", share: 0.06, profile: false },
  { principal: "glue.amazonaws.com", share: 0.015, profile: false },
  { principal: "codebuild.amazonaws.com", share: 0.015, profile: false },
  { principal: "cloudformation.amazonaws.com", share: 0.01, profile: false },
];

/** Scoped, everyday access: what most of an old account's policies are. */
function dataStatements(r: Random, team: string): Stmt[] {
  const bucket = `arn:aws:s3:::${team}-${r.pick(["assets", "exports", "logs", "reports", "backups"])}-${r.int(1, 40)}`;
  const table = `arn:aws:dynamodb:${r.pick(REGIONS)}:${ACCOUNT}:table/${team}-${r.int(1, 60)}`;
  const all: Stmt[] = [
    { Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket"], Resource: [bucket, `${bucket}/*`] },
    { Effect: "Allow", Action: ["s3:PutObject", "s3:DeleteObject"], Resource: `${bucket}/*` },
    { Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"], Resource: table },
    {
      Effect: "Allow",
      Action: ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"],
      Resource: `arn:aws:sqs:${r.pick(REGIONS)}:${ACCOUNT}:${team}-*`,
    },
    { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `arn:aws:logs:*:${ACCOUNT}:log-group:/${team}/*` },
    {
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: `arn:aws:kms:${r.pick(REGIONS)}:${ACCOUNT}:key/${r.hex(8).toLowerCase()}`,
      Condition: { StringEquals: { "kms:ViaService": `s3.${r.pick(REGIONS)}.amazonaws.com` } },
    },
    { Effect: "Allow", Action: ["ec2:Describe*", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics"], Resource: "*" },
    { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: `arn:aws:secretsmanager:*:${ACCOUNT}:secret:${team}/*` },
    { Effect: "Allow", Action: ["sns:Publish"], Resource: `arn:aws:sns:*:${ACCOUNT}:${team}-*`, Condition: { Bool: { "aws:SecureTransport": "true" } } },
  ];
  return r.sample(all, r.int(1, 3));
}

/** What makes the analysis work: ways to act as someone else or change one's own access. */
function escalationStatements(r: Random, team: string, roleNames: string[], userNames: string[]): Stmt[] {
  const someRole = () => arn("role", r.pick(roleNames));
  const x = r.next();
  if (x < 0.34) {
    // AssumeRole into named roles or a team's roles (chains).
    return [
      {
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Resource: r.chance(0.6) ? r.sample(roleNames, r.int(1, 3)).map((n) => arn("role", n)) : arn("role", `${team}-*`),
      },
    ];
  }
  if (x < 0.5) {
    // PassRole to Lambda, scoped to named roles or to a team's roles, sometimes with the service condition.
    return [
      {
        Effect: "Allow",
        Action: ["lambda:CreateFunction", "lambda:InvokeFunction", "lambda:UpdateFunctionCode"],
        Resource: `arn:aws:lambda:*:${ACCOUNT}:function:${team}-*`,
      },
      {
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: r.chance(0.5) ? someRole() : arn("role", `${team}-*`),
        ...(r.chance(0.4) ? { Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } } } : {}),
      },
    ];
  }
  if (x < 0.6) {
    // EC2 or ECS with PassRole on any role (the classic over-broad deploy policy).
    return r.chance(0.5)
      ? [{ Effect: "Allow", Action: ["ec2:RunInstances", "ec2:AssociateIamInstanceProfile", "iam:PassRole"], Resource: "*" }]
      : [
          {
            Effect: "Allow",
            Action: ["ecs:RegisterTaskDefinition", "ecs:RunTask", "iam:PassRole"],
            Resource: "*",
            ...(r.chance(0.5) ? { Condition: { StringEquals: { "aws:RequestedRegion": r.pick(REGIONS) } } } : {}),
          },
        ];
  }
  if (x < 0.66)
    return [
      { Effect: "Allow", Action: ["glue:CreateJob", "glue:StartJobRun", "codebuild:CreateProject", "codebuild:StartBuild", "iam:PassRole"], Resource: "*" },
    ];
  if (x < 0.72)
    return [
      {
        Effect: "Allow",
        Action: ["cloudformation:CreateStack", "cloudformation:UpdateStack", "iam:PassRole"],
        Resource: "*",
        Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
      },
    ];
  if (x < 0.78) {
    // IAM writes on a team's roles or on users.
    return [
      {
        Effect: "Allow",
        Action: r.pick([
          ["iam:PutRolePolicy", "iam:AttachRolePolicy"],
          ["iam:UpdateAssumeRolePolicy"],
          ["iam:CreateAccessKey"],
          ["iam:CreateLoginProfile", "iam:UpdateLoginProfile"],
        ]),
        Resource: r.chance(0.7) ? arn("role", `${team}-*`) : arn("user", r.pick(userNames)),
      },
    ];
  }
  if (x < 0.82) return [{ Effect: "Allow", Action: ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"], Resource: arn("policy", `${team}-*`) }];
  if (x < 0.86)
    return [
      {
        Effect: "Allow",
        Action: ["ssm:SendCommand", "ssm:StartSession"],
        Resource: "*",
        Condition: { IpAddress: { "aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24"] } },
      },
    ];
  if (x < 0.93) {
    // Denies that take some of it back.
    return [
      {
        Effect: "Deny",
        Action: r.pick([["iam:*"], ["iam:PassRole"], ["sts:AssumeRole"], ["iam:Put*", "iam:Attach*"]]),
        Resource: "*",
        ...(r.chance(0.5) ? { Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } } : {}),
      },
    ];
  }
  return [{ Effect: "Allow", Action: ["iam:Get*", "iam:List*", "sts:GetCallerIdentity"], Resource: "*" }];
}

type Generated = { doc: Doc; policies: number; mutable: Doc; mutableName: string; lastUsed: Doc[] };

/** The export, deterministic for a seed. */
function generate(seed = 20261203): Generated {
  const r = seeded(seed);
  const userNames = Array.from({ length: USERS }, (_, i) => `${TEAMS[i % TEAMS.length]}-user-${i}`);
  const roleNames = Array.from({ length: ROLES }, (_, i) => `${TEAMS[i % TEAMS.length]}-role-${i}`);
  const groupNames = Array.from({ length: GROUPS }, (_, i) => `${TEAMS[i % TEAMS.length]}-group-${i}`);
  const teamOf = (name: string) => name.slice(0, name.indexOf("-"));

  // Inline policies first (their count fixes how many managed ones make 50,000).
  let inlineCount = 0;
  const inline = (owner: string, n: number) =>
    Array.from({ length: n }, (_, k) => {
      inlineCount++;
      const team = teamOf(owner);
      const statements = r.chance(0.12) ? escalationStatements(r, team, roleNames, userNames) : dataStatements(r, team);
      return { PolicyName: `${owner}-inline-${k}`, PolicyDocument: policyDoc(statements) };
    });
  const userInline = userNames.map((n) => inline(n, r.int(0, 2)));
  const roleInline = roleNames.map((n) => inline(n, r.int(1, 2)));
  const groupInline = groupNames.map((n) => inline(n, 1));

  const awsManaged = [
    { name: "AdministratorAccess", statements: [{ Effect: "Allow", Action: "*", Resource: "*" }] as Stmt[] },
    {
      name: "ReadOnlyAccess",
      statements: [
        { Effect: "Allow", Action: ["s3:Get*", "s3:List*", "ec2:Describe*", "iam:Get*", "iam:List*", "lambda:Get*", "lambda:List*"], Resource: "*" },
      ] as Stmt[],
    },
    {
      name: "PowerUserAccess",
      statements: [
        { Effect: "Allow", NotAction: ["iam:*", "organizations:*", "account:*"], Resource: "*" },
        { Effect: "Allow", Action: ["iam:CreateServiceLinkedRole", "iam:ListRoles"], Resource: "*" },
      ] as Stmt[],
    },
    { name: "IAMFullAccess", statements: [{ Effect: "Allow", Action: "iam:*", Resource: "*" }] as Stmt[] },
  ];
  const managedCount = Math.max(100, POLICIES - inlineCount - awsManaged.length);
  const boundaries = TEAMS.slice(0, 5).map((t) => `${t}-boundary`);
  const managedNames = Array.from({ length: managedCount }, (_, i) => (i < boundaries.length ? boundaries[i] : `${TEAMS[i % TEAMS.length]}-policy-${i}`));
  const managedDocs: Stmt[][] = managedNames.map((name, i) =>
    i < boundaries.length
      ? // Boundaries: everything but IAM writes and Organizations.
        [
          { Effect: "Allow", NotAction: ["iam:*", "organizations:*"], Resource: "*" },
          { Effect: "Allow", Action: ["iam:Get*", "iam:List*", "iam:PassRole"], Resource: "*" },
        ]
      : r.chance(0.1)
        ? [...escalationStatements(r, teamOf(name), roleNames, userNames), ...(r.chance(0.5) ? dataStatements(r, teamOf(name)) : [])]
        : dataStatements(r, teamOf(name)),
  );
  // Attachment: shared policies (the first 2,000) across groups and users; the rest one role or user each, the last 5% unattached.
  const shared = managedNames.slice(boundaries.length, boundaries.length + 2000);
  const own = managedNames.slice(boundaries.length + 2000, Math.floor(managedNames.length * 0.95));
  let ownNext = 0;
  const takeOwn = (n: number) => {
    const out = own.slice(ownNext, ownNext + n);
    ownNext += out.length;
    return out;
  };
  const attached = (names: string[]) => names.map((n) => ({ PolicyName: n, PolicyArn: arn("policy", n) }));
  const awsArn = (name: string) => `arn:aws:iam::aws:policy/${name}`;
  const ownPerPrincipal = Math.max(1, Math.floor(own.length / (USERS * 0.3 + ROLES)));

  const groups = groupNames.map((name, i) => ({
    Path: "/",
    GroupName: name,
    GroupId: `AGPA${r.hex(16)}`,
    Arn: arn("group", name),
    CreateDate: created,
    GroupPolicyList: groupInline[i],
    AttachedManagedPolicies: [
      ...attached(r.sample(shared, r.int(2, 4))),
      ...(i < 2
        ? [{ PolicyName: "AdministratorAccess", PolicyArn: awsArn("AdministratorAccess") }]
        : i % 25 === 3
          ? [{ PolicyName: "ReadOnlyAccess", PolicyArn: awsArn("ReadOnlyAccess") }]
          : []),
    ],
  }));

  const users = userNames.map((name, i) => ({
    Path: "/",
    UserName: name,
    UserId: `AIDA${r.hex(16)}`,
    Arn: arn("user", name),
    CreateDate: created,
    UserPolicyList: userInline[i],
    GroupList: r.sample(groupNames, r.int(1, 3)),
    AttachedManagedPolicies: [
      ...attached([...r.sample(shared, r.int(0, 2)), ...(r.chance(0.3) ? takeOwn(ownPerPrincipal) : [])]),
      ...(i % 400 === 7 ? [{ PolicyName: "PowerUserAccess", PolicyArn: awsArn("PowerUserAccess") }] : []),
    ],
    ...(r.chance(0.05) ? { PermissionsBoundary: { PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: arn("policy", r.pick(boundaries)) } } : {}),
    Tags: r.chance(0.2) ? [{ Key: "identity-kind", Value: "service_account" }] : [],
  }));

  const serviceCut: { principal: string; upTo: number; profile: boolean }[] = [];
  let acc = 0;
  for (const s of SERVICES) serviceCut.push({ principal: s.principal, upTo: (acc += s.share), profile: s.profile });
  const trustOf = (i: number): { doc: Doc; profile: boolean } => {
    const x = r.next();
    const allow = (Principal: unknown, extra: Doc = {}) => ({ Effect: "Allow", Principal, Action: "sts:AssumeRole", ...extra });
    const service = serviceCut.find((s) => x < s.upTo);
    if (service) return { doc: { Version: "2012-10-17", Statement: [allow({ Service: service.principal })] }, profile: service.profile };
    if (x < 0.72)
      return {
        doc: {
          Version: "2012-10-17",
          Statement: [allow({ AWS: `arn:aws:iam::${ACCOUNT}:root` }, r.chance(0.3) ? { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } } : {})],
        },
        profile: false,
      };
    if (x < 0.86)
      return {
        doc: {
          Version: "2012-10-17",
          Statement: [allow({ AWS: r.sample(roleNames.filter((_, j) => j !== i).slice(0, 4000), r.int(1, 3)).map((n) => arn("role", n)) })],
        },
        profile: false,
      };
    if (x < 0.92)
      return { doc: { Version: "2012-10-17", Statement: [allow({ AWS: r.sample(userNames, r.int(1, 4)).map((n) => arn("user", n)) })] }, profile: false };
    if (x < 0.97)
      return {
        doc: {
          Version: "2012-10-17",
          Statement: [allow({ AWS: `arn:aws:iam::${PARTNER}:root` }, { Condition: { StringEquals: { "sts:ExternalId": r.hex(12) } } })],
        },
        profile: false,
      };
    if (x < 0.995)
      return {
        doc: {
          Version: "2012-10-17",
          Statement: [allow({ Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/corp-idp` }, { Action: "sts:AssumeRoleWithSAML" })],
        },
        profile: false,
      };
    // A few trust anyone, most of them behind a condition.
    return {
      doc: { Version: "2012-10-17", Statement: [allow("*", r.chance(0.7) ? { Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } } } : {})] },
      profile: false,
    };
  };
  const lastUsed: Doc[] = [];
  const roles = roleNames.map((name, i) => {
    const trust = trustOf(i);
    const admin = i % 300 === 11;
    const role: Doc = {
      Path: "/",
      RoleName: name,
      RoleId: `AROA${r.hex(16)}`,
      Arn: arn("role", name),
      CreateDate: created,
      AssumeRolePolicyDocument: trust.doc,
      InstanceProfileList: trust.profile ? [{ InstanceProfileName: name, Arn: arn("instance-profile", name) }] : [],
      RolePolicyList: roleInline[i],
      AttachedManagedPolicies: [
        ...attached(takeOwn(ownPerPrincipal)),
        ...(admin
          ? [{ PolicyName: "AdministratorAccess", PolicyArn: awsArn("AdministratorAccess") }]
          : i % 150 === 5
            ? [{ PolicyName: "IAMFullAccess", PolicyArn: awsArn("IAMFullAccess") }]
            : []),
      ],
      ...(r.chance(0.1) ? { PermissionsBoundary: { PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: arn("policy", r.pick(boundaries)) } } : {}),
      Tags: [{ Key: "team", Value: teamOf(name) }],
      RoleLastUsed: r.chance(0.7) ? { LastUsedDate: "2026-11-20T10:00:00Z", Region: r.pick(REGIONS) } : {},
    };
    if ((role.RoleLastUsed as Doc).LastUsedDate) lastUsed.push(role.RoleLastUsed as Doc);
    return role;
  });

  const Policies = [
    ...managedNames.map((name, i) => ({
      PolicyName: name,
      PolicyId: `ANPA${r.hex(16)}`,
      Arn: arn("policy", name),
      Path: "/",
      DefaultVersionId: "v1",
      AttachmentCount: 1,
      IsAttachable: true,
      CreateDate: created,
      UpdateDate: created,
      PolicyVersionList: [{ Document: policyDoc(managedDocs[i]), VersionId: "v1", IsDefaultVersion: true, CreateDate: created }],
    })),
    ...awsManaged.map((p) => ({
      PolicyName: p.name,
      Arn: awsArn(p.name),
      Path: "/",
      DefaultVersionId: "v1",
      PolicyVersionList: [{ Document: policyDoc(p.statements), VersionId: "v1", IsDefaultVersion: true, CreateDate: created }],
    })),
  ];
  // The policy the incremental rounds change: a shared one held by a group and a few users directly, so the change reaches several principals.
  const heldBy = new Map<string, { groups: number; users: number }>();
  for (const g of groups)
    for (const a of g.AttachedManagedPolicies)
      heldBy.set(a.PolicyName, { ...(heldBy.get(a.PolicyName) ?? { groups: 0, users: 0 }), groups: (heldBy.get(a.PolicyName)?.groups ?? 0) + 1 });
  for (const u of users)
    for (const a of u.AttachedManagedPolicies)
      heldBy.set(a.PolicyName, { ...(heldBy.get(a.PolicyName) ?? { groups: 0, users: 0 }), users: (heldBy.get(a.PolicyName)?.users ?? 0) + 1 });
  const mutableName = shared.find((n) => heldBy.get(n)?.groups === 1 && (heldBy.get(n)?.users ?? 0) >= 1) ?? shared.find((n) => heldBy.has(n)) ?? shared[0];
  const mutable = Policies.find((p) => p.PolicyName === mutableName)!.PolicyVersionList[0] as Doc;
  return {
    doc: { UserDetailList: users, GroupDetailList: groups, RoleDetailList: roles, Policies, IsTruncated: false },
    policies: Policies.length + inlineCount,
    mutable,
    mutableName,
    lastUsed,
  };
}

// ---------------------------------------------------------------------------
// Measuring

let peakRss = 0;
let peakHeap = 0;
const sampleMemory = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
const sampler = setInterval(sampleMemory, 50);
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t };
}

useBenchAuditKey();
const configured = resolveTarget();
const tempDir = configured.kind === "pglite" && !process.env.DATABASE_URL ? mkdtempSync(path.join(tmpdir(), "bench-paths-")) : null;
const target: DatabaseTarget = tempDir ? { kind: "pglite", dataDir: tempDir } : configured;
const database = await openDatabase(target);
await migrate(database);
await installJobs(database);
const { db } = database;
const [{ n: before }] = await db.select({ n: count() }).from(identities);
if (before > 0)
  console.log(
    `note: the database already holds ${before.toLocaleString("en")} identities; the first import is then a re-import (use an empty database for comparable figures)`,
  );

const g0 = performance.now();
const gen = generate();
const size = Buffer.byteLength(JSON.stringify(gen.doc));
console.log(
  `${target.kind}: generated an export of ${USERS.toLocaleString("en")} users, ${ROLES.toLocaleString("en")} roles, ${GROUPS} groups (${(USERS + ROLES).toLocaleString("en")} principals) and ${gen.policies.toLocaleString("en")} policies (managed and inline), ${mb(size)} of JSON, in ${s(performance.now() - g0)}`,
);

const imported = await timed(() => importAwsIam(db, { authorizationDetails: gen.doc }));
sampleMemory();
const i = imported.value;
console.log(
  `import: ${s(imported.ms)} (identities ${i.identities.created} created; entitlements ${i.entitlements.created.toLocaleString("en")} created; grants ${i.grants.added.toLocaleString("en")} added; ${i.warnings.length} warnings)`,
);

peakRss = 0;
peakHeap = 0;
const full = await timed(() => runEscalationAnalysis(db));
sampleMemory();
const fullPeak = { rss: peakRss, heap: peakHeap };
const f = full.value;
const [{ n: findingsOpen }] = await db
  .select({ n: count() })
  .from(findings)
  .where(sql`${findings.source} = 'escalation' and ${findings.status} = 'open'`);
const [{ n: escalating }] = await db
  .select({ n: count() })
  .from(identityEscalations)
  .where(sql`${identityEscalations.reachesAdmin} and not ${identityEscalations.holdsAdmin}`);
const [{ n: adminLevel }] = await db.select({ n: count() }).from(identityEscalations).where(eq(identityEscalations.privilegeLevel, "admin"));
const phases = (x: EscalationSummary) =>
  Object.entries(x.phases ?? {})
    .map(([k, v]) => `${k} ${s(v)}`)
    .join(", ");
console.log(`full analysis: ${s(full.ms)}; peak RSS ${mb(fullPeak.rss)}, heap ${mb(fullPeak.heap)}`);
console.log(`  phases: ${phases(f)}`);
console.log(
  `  ${f.principals.toLocaleString("en")} principals analysed (${f.recomputed.toLocaleString("en")} computed), ${f.reachAdmin.toLocaleString("en")} reach admin (${escalating.toLocaleString("en")} by escalating rather than holding it; ${adminLevel.toLocaleString("en")} at level admin), ${f.findingsOpen.toLocaleString("en")} findings raised (${findingsOpen.toLocaleString("en")} open)`,
);

console.log(`incremental rounds change ${gen.mutableName}`);
// Incremental rounds: one policy changes (alternately gaining and losing a PassRole to Lambda), some roles were used since.
const analysisMs: number[] = [];
const roundMs: number[] = [];
const rounds: EscalationSummary[] = [];
const original = JSON.parse(JSON.stringify(gen.mutable.Document)) as { Statement: Stmt[] };
for (let round = 1; round <= ROUNDS; round++) {
  const statements =
    round % 2 === 1
      ? [
          ...original.Statement,
          { Sid: `Deploy${round}`, Effect: "Allow" as const, Action: ["lambda:CreateFunction", "lambda:InvokeFunction", "iam:PassRole"], Resource: "*" },
        ]
      : [...original.Statement, { Sid: `Reader${round}`, Effect: "Allow" as const, Action: "s3:GetObject", Resource: `arn:aws:s3:::bench-round-${round}/*` }];
  gen.mutable.Document = policyDoc(statements);
  for (let k = 0; k < 60 && k < gen.lastUsed.length; k++)
    gen.lastUsed[(round * 61 + k * 97) % gen.lastUsed.length].LastUsedDate = new Date(Date.UTC(2026, 10, 21 + round, k % 24)).toISOString();
  const t = performance.now();
  const re = await timed(() => importAwsIam(db, { authorizationDetails: gen.doc }));
  const an = await timed(() => runEscalationAnalysis(db));
  roundMs.push(performance.now() - t);
  analysisMs.push(an.ms);
  rounds.push(an.value);
  console.log(
    `round ${round}: re-import ${s(re.ms)} (entitlements ${re.value.entitlements.updated} updated, identities ${re.value.identities.updated} updated), analysis ${s(an.ms)}: ${an.value.recomputed} principals recomputed, ${an.value.changed} verdicts changed, ${an.value.reachAdmin} reach admin`,
  );
  console.log(
    `  re-import phases: ${Object.entries(re.value.phases ?? {})
      .map(([k, v]) => `${k} ${s(v)}`)
      .join(", ")}`,
  );
  console.log(`  analysis phases: ${phases(an.value)}`);
}
sampleMemory();
analysisMs.sort((a, b) => a - b);
roundMs.sort((a, b) => a - b);
const line = (label: string, measured: number, target: number) =>
  console.log(`${label.padEnd(44)} ${s(measured).padStart(9)}   target < ${s(target)}: ${measured < target ? "met" : "NOT met"}`);
console.log(
  `\nincremental analysis (${ROUNDS} rounds): p50 ${s(percentile(analysisMs, 50))}, max ${s(analysisMs[analysisMs.length - 1])}; re-import + analysis: p50 ${s(percentile(roundMs, 50))}, max ${s(roundMs[roundMs.length - 1])}; principals recomputed per round: ${rounds.map((r) => r.recomputed).join(", ")}`,
);
line("full analysis", full.ms, TARGET_FULL_MS);
line("re-import of one changed policy + analysis", percentile(roundMs, 50), TARGET_INCREMENTAL_MS);
console.log(`peak RSS over the run ${mb(Math.max(peakRss, process.resourceUsage().maxRSS * 1024))}`);
clearInterval(sampler);
await database.close();
if (tempDir) rmSync(tempDir, { recursive: true, force: true });
