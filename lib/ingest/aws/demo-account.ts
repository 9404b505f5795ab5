import type { Db } from "@/db/client";
import { importAwsIam } from "@/lib/ingest/import-aws-iam";

// The demo's AWS IAM export: the sandbox account (777788889999) as
// `aws iam get-account-authorization-details` and `get-credential-report`
// return it, imported when the demo organisation is loaded so the escalation
// analysis has real input. Each principal shows one thing the analysis
// decides, including the near misses it must not count.

const ACCOUNT = "777788889999";
const CREATED = "2024-02-01T09:00:00+00:00";
type Doc = Record<string, unknown>;
const arn = (kind: string, name: string) => `arn:aws:iam::${ACCOUNT}:${kind}/${name}`;
const doc = (...Statement: Doc[]) => ({ Version: "2012-10-17", Statement });
const allow = (Sid: string, Action: string | string[], Resource: string | string[], extra: Doc = {}) => ({ Sid, Effect: "Allow", Action, Resource, ...extra });
const attach = (...arns: string[]) => arns.map((a) => ({ PolicyName: a.split("/").pop(), PolicyArn: a }));
const AWS_ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";
const AWS_READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const AWS_VIEW_ONLY = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess";

function managed(policyArn: string, document: Doc) {
  return {
    PolicyName: policyArn.split("/").pop(),
    PolicyId: `ANPA${policyArn
      .split("/")
      .pop()!
      .toUpperCase()
      .replace(/[^A-Z]/g, "")
      .slice(0, 12)}`,
    Arn: policyArn,
    Path: "/",
    DefaultVersionId: "v1",
    AttachmentCount: 1,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    CreateDate: CREATED,
    UpdateDate: CREATED,
    PolicyVersionList: [{ Document: encodeURIComponent(JSON.stringify(document)), VersionId: "v1", IsDefaultVersion: true, CreateDate: CREATED }],
  };
}

function user(name: string, opts: { kind?: "service_account" | "human"; attached?: string[]; inline?: Record<string, Doc>; groups?: string[] }) {
  return {
    Path: "/",
    UserName: name,
    UserId: `AIDA${name
      .toUpperCase()
      .replace(/[^A-Z]/g, "")
      .slice(0, 12)}`,
    Arn: arn("user", name),
    CreateDate: CREATED,
    UserPolicyList: Object.entries(opts.inline ?? {}).map(([PolicyName, d]) => ({ PolicyName, PolicyDocument: encodeURIComponent(JSON.stringify(d)) })),
    GroupList: opts.groups ?? [],
    AttachedManagedPolicies: attach(...(opts.attached ?? [])),
    Tags: opts.kind === "service_account" ? [{ Key: "identity-kind", Value: opts.kind }, OWNER] : opts.kind ? [{ Key: "identity-kind", Value: opts.kind }] : [],
  };
}

function role(name: string, trust: Doc[], opts: { attached?: string[]; inline?: Record<string, Doc>; instanceProfile?: boolean }) {
  return {
    Path: "/",
    RoleName: name,
    RoleId: `AROA${name
      .toUpperCase()
      .replace(/[^A-Z]/g, "")
      .slice(0, 12)}`,
    Arn: arn("role", name),
    CreateDate: CREATED,
    AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(doc(...trust))),
    InstanceProfileList: opts.instanceProfile
      ? [
          {
            InstanceProfileName: name,
            Arn: arn("instance-profile", name),
            Path: "/",
            InstanceProfileId: `AIPA${name
              .toUpperCase()
              .replace(/[^A-Z]/g, "")
              .slice(0, 12)}`,
            CreateDate: CREATED,
            Roles: [],
          },
        ]
      : [],
    RolePolicyList: Object.entries(opts.inline ?? {}).map(([PolicyName, d]) => ({ PolicyName, PolicyDocument: encodeURIComponent(JSON.stringify(d)) })),
    AttachedManagedPolicies: attach(...(opts.attached ?? [])),
    Tags: [OWNER],
    RoleLastUsed: {},
  };
}

/** The sandbox's owner in the demo organisation: tagged, so the import names an owner rather than leave orphans. */
const OWNER = { Key: "owner", Value: "marcus.chen@acme.example" };

const trusts = (principal: Doc, extra: Doc = {}) => ({ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole", ...extra });

export function demoAuthorizationDetails() {
  const deploy = arn("policy", "CiDeployFunctions");
  const terraform = arn("policy", "TerraformState");
  const batch = arn("policy", "BatchLaunch");
  const scoped = arn("policy", "AppDeployScoped");
  return {
    UserDetailList: [
      // PassRole on lambda-* plus create and invoke: becomes the Lambda admin role.
      user("ci-deployer", { kind: "service_account", attached: [deploy] }),
      // May write a new default version of the policy it holds.
      user("terraform-runner", { kind: "service_account", attached: [terraform] }),
      // Launches EC2 instances with the batch-admin instance profile.
      user("batch-scheduler", { kind: "service_account", attached: [batch] }),
      // PassRole only on app-* roles, which are not administrators: privileged, not admin.
      user("app-deployer", { kind: "service_account", attached: [scoped] }),
      // An escalation action whose time window has passed.
      user("migration-bot", {
        kind: "service_account",
        inline: {
          "one-off-migration": doc(
            allow("OneOff", "iam:AttachUserPolicy", arn("user", "migration-bot"), {
              Condition: { DateLessThan: { "aws:CurrentTime": "2024-06-30T00:00:00Z" } },
            }),
          ),
        },
      }),
      // Administrator on paper, cancelled by a deny of everything.
      user("legacy-admin", {
        kind: "human",
        attached: [AWS_ADMIN],
        inline: { "frozen-2024": doc({ Sid: "Frozen", Effect: "Deny", Action: "*", Resource: "*" }) },
      }),
      // Assumes ops-admin, but only with MFA: a conditional path.
      user("oncall-engineer", {
        kind: "human",
        attached: [AWS_READ_ONLY],
        inline: { "break-glass": doc(allow("BreakGlass", "sts:AssumeRole", arn("role", "ops-admin"))) },
      }),
      user("analyst", { kind: "human", attached: [AWS_READ_ONLY] }),
    ],
    GroupDetailList: [],
    RoleDetailList: [
      role("lambda-admin", [trusts({ Service: "lambda.amazonaws.com" })], { attached: [AWS_ADMIN] }),
      role("batch-admin", [trusts({ Service: "ec2.amazonaws.com" })], { attached: [AWS_ADMIN], instanceProfile: true }),
      role("app-orders-api", [trusts({ Service: "lambda.amazonaws.com" })], {
        inline: {
          "orders-table": doc(
            allow("Orders", ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"], `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/orders`),
          ),
        },
      }),
      role("ops-admin", [trusts({ AWS: arn("user", "oncall-engineer") }, { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } })], {
        attached: [AWS_ADMIN],
      }),
      role("security-viewer", [trusts({ AWS: `arn:aws:iam::${ACCOUNT}:root` })], { attached: [AWS_VIEW_ONLY] }),
      // Trusts any AWS principal anywhere.
      role("partner-readonly", [trusts({ AWS: "*" })], { attached: [AWS_READ_ONLY] }),
    ],
    Policies: [
      managed(AWS_ADMIN, doc({ Effect: "Allow", Action: "*", Resource: "*" })),
      managed(AWS_READ_ONLY, doc(allow("ReadOnly", ["s3:Get*", "s3:List*", "ec2:Describe*", "iam:Get*", "iam:List*", "dynamodb:Describe*", "logs:Get*"], "*"))),
      managed(AWS_VIEW_ONLY, doc(allow("ViewOnly", ["s3:ListAllMyBuckets", "ec2:Describe*", "iam:List*"], "*"))),
      managed(
        deploy,
        doc(
          allow("PassLambdaRoles", "iam:PassRole", arn("role", "lambda-*")),
          allow("ManageFunctions", ["lambda:CreateFunction", "lambda:InvokeFunction", "lambda:GetFunction"], "*"),
        ),
      ),
      managed(
        terraform,
        doc(
          allow("StateBucket", ["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::tf-state-777788889999/*"),
          allow("EvolveOwnPolicy", ["iam:CreatePolicyVersion", "iam:GetPolicyVersion"], terraform),
        ),
      ),
      managed(
        batch,
        doc(allow("Launch", ["ec2:RunInstances", "ec2:DescribeInstances"], "*"), allow("PassBatchRole", "iam:PassRole", arn("role", "batch-admin"))),
      ),
      managed(
        scoped,
        doc(
          allow("PassAppRoles", "iam:PassRole", arn("role", "app-*")),
          allow("ManageFunctions", ["lambda:CreateFunction", "lambda:InvokeFunction", "lambda:UpdateFunctionCode"], "*"),
        ),
      ),
    ],
  };
}

/** The credential report: the service accounts hold long-lived access keys. */
export function demoCredentialReport(now: Date): string {
  const header =
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";
  const day = (n: number) => new Date(now.getTime() - n * 86_400_000).toISOString().replace(/\.\d+Z$/, "+00:00");
  const bot = (name: string, rotatedDaysAgo: number) =>
    `${name},${arn("user", name)},${CREATED},false,N/A,N/A,N/A,false,true,${day(rotatedDaysAgo)},${day(1)},eu-west-1,lambda,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`;
  const person = (name: string) =>
    `${name},${arn("user", name)},${CREATED},true,${day(2)},${day(60)},N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`;
  return [
    header,
    bot("ci-deployer", 420),
    bot("terraform-runner", 200),
    bot("batch-scheduler", 35),
    bot("app-deployer", 80),
    bot("migration-bot", 700),
    person("legacy-admin"),
    person("oncall-engineer"),
    person("analyst"),
    "",
  ].join("\n");
}

/** Imports the sandbox account into the demo organisation (once, right after the seed); the escalation analysis follows as a job. */
export async function importDemoAccount(db: Db, now = new Date()) {
  return importAwsIam(db, {
    authorizationDetails: demoAuthorizationDetails(),
    credentialReport: demoCredentialReport(now),
    actor: { id: null, label: "demo: aws-iam import" },
  });
}
