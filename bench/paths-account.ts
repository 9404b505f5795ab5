/**
 * The account bench:paths analyses: a `get-account-authorization-details`
 * export (seeded, the same on every run) of about 10,000 principals holding
 * 50,000 policies, with the mix an old account has. Sizes from BENCH_USERS,
 * BENCH_ROLES, BENCH_GROUPS and BENCH_POLICIES.
 */
import { seeded, type Random } from "./random";

const USERS = Number(process.env.BENCH_USERS ?? 3_800);
const ROLES = Number(process.env.BENCH_ROLES ?? 6_000);
const GROUPS = Number(process.env.BENCH_GROUPS ?? 200);
const POLICIES = Number(process.env.BENCH_POLICIES ?? 50_000);
const ACCOUNT = "512345678901";
const PARTNER = "998877665544";
export const ACCOUNT_SIZE = { users: USERS, roles: ROLES, groups: GROUPS };

// ---------------------------------------------------------------------------
// The export

export type Doc = Record<string, unknown>;
export type Stmt = { Sid?: string; Effect: "Allow" | "Deny"; Action?: string | string[]; NotAction?: string[]; Resource: string | string[]; Condition?: Doc };
const arn = (kind: string, name: string) => `arn:aws:iam::${ACCOUNT}:${kind}/${name}`;
export const policyDoc = (statements: Stmt[]) => ({ Version: "2012-10-17", Statement: statements });
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

export type Generated = { doc: Doc; policies: number; mutable: Doc; mutableName: string; lastUsed: Doc[] };

/** The export, deterministic for a seed. */
export function generate(seed = 20261203): Generated {
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
