import type { PermissionStatement, PrivilegeLevel } from "../schema";

/** The fixed shape of the Acme organisation: teams, the services they run, their systems and entitlements. */

export const TEAM_NAMES = ["Platform", "Payments", "Data", "SRE", "Security", "Identity", "Mobile", "Growth"] as const;
export type TeamName = (typeof TEAM_NAMES)[number];

/** Share of individual contributors per team (sums to ~1). */
export const TEAM_SIZE_WEIGHTS: Record<TeamName, number> = {
  Platform: 0.16,
  Payments: 0.16,
  Data: 0.14,
  SRE: 0.12,
  Security: 0.08,
  Identity: 0.08,
  Mobile: 0.13,
  Growth: 0.13,
};

/** How many NHIs a member of the team tends to own, relative to an average engineer. */
export const TEAM_NHI_WEIGHTS: Record<TeamName, number> = {
  Platform: 2.3,
  SRE: 2.0,
  Data: 1.3,
  Payments: 1.1,
  Identity: 1.0,
  Security: 0.7,
  Mobile: 0.7,
  Growth: 0.8,
};

export const TEAM_SERVICES: Record<TeamName, readonly string[]> = {
  Platform: ["terraform", "argocd", "ci-runner", "artifact-registry", "base-images", "internal-dns", "service-mesh", "backstage", "build-cache"],
  Payments: ["payments-api", "ledger", "checkout", "card-tokenizer", "fraud-scoring", "payouts", "reconciliation", "invoicing", "payments-gateway"],
  Data: ["airflow", "dbt", "kafka-connect", "feature-store", "ledger-export", "clickstream-ingest", "data-quality", "ml-training"],
  SRE: ["prometheus", "alertmanager", "pagerduty-sync", "log-shipper", "backup-runner", "chaos-runner", "status-page", "oncall-tools"],
  Security: ["siem-forwarder", "guardduty-ingest", "vuln-scanner", "secrets-scanner", "waf-sync", "edr-collector"],
  Identity: ["scim-sync", "sso-gateway", "access-broker", "directory-sync", "mfa-service", "provisioning"],
  Mobile: ["mobile-bff", "push-notifications", "app-store-upload", "crash-reporter", "mobile-config", "feature-flags"],
  Growth: ["experiments", "recommendations", "email-campaigns", "attribution", "search", "referrals", "notifications"],
};

export const ENGINEER_TITLES: Record<TeamName, readonly string[]> = {
  Platform: ["Platform Engineer", "Senior Platform Engineer", "Software Engineer, Platform"],
  Payments: ["Software Engineer", "Senior Software Engineer", "Backend Engineer, Payments"],
  Data: ["Data Engineer", "Senior Data Engineer", "Analytics Engineer", "Machine Learning Engineer"],
  SRE: ["Site Reliability Engineer", "Senior Site Reliability Engineer"],
  Security: ["Security Engineer", "Senior Security Engineer", "Detection Engineer"],
  Identity: ["Identity Engineer", "Senior Identity Engineer", "IAM Engineer"],
  Mobile: ["iOS Engineer", "Android Engineer", "Senior Mobile Engineer"],
  Growth: ["Software Engineer, Growth", "Senior Frontend Engineer", "Full-Stack Engineer"],
};

export type SystemKind = "aws_account" | "kubernetes" | "github" | "database" | "vault" | "saas" | "idp";

/** Who owns a system: a persona or the head of a team (resolved once people exist). */
export type OwnerHint = { persona: "admin" | "owner" | "reviewer" | "approver" } | { teamHead: TeamName };

export type EntitlementSpec = {
  name: string;
  level: PrivilegeLevel;
  description: string;
  externalRef: string;
  /** Actions that show up in usage events for this entitlement; {svc} is the identity's service. */
  actions: readonly string[];
  /** For cloud policies: the IAM statements, as the AWS managed policy of that name has them (abridged). */
  permissions?: PermissionStatement[];
};

export type SystemSpec = {
  name: string;
  kind: SystemKind;
  environment: string;
  externalId: string;
  description: string;
  owner: OwnerHint;
  /** The usage event source for this system. */
  source: string;
  entitlements: readonly EntitlementSpec[];
};

const allow = (actions: string[]): PermissionStatement => ({ effect: "Allow", actions, conditional: false, allResources: true });

// The statements of AWS's managed policies, abridged to the services the demo uses;
// the others allow exactly the actions their usage shows, by service wildcard where AWS does.
const AWS_STATEMENTS: Record<string, PermissionStatement[]> = {
  AdministratorAccess: [allow(["*"])],
  PowerUserAccess: [
    { effect: "Allow", notActions: ["iam:*", "organizations:*", "account:*"], conditional: false, allResources: true },
    allow(["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles", "organizations:DescribeOrganization"]),
  ],
  IAMFullAccess: [allow(["iam:*", "organizations:DescribeAccount", "organizations:DescribeOrganization", "organizations:ListAccounts"])],
  AmazonS3FullAccess: [allow(["s3:*", "s3-object-lambda:*"])],
  AmazonDynamoDBFullAccess: [allow(["dynamodb:*", "application-autoscaling:*", "cloudwatch:GetMetricData"])],
  SecretsManagerReadWrite: [allow(["secretsmanager:*", "kms:DescribeKey", "kms:ListAliases"])],
  AmazonSQSFullAccess: [allow(["sqs:*"])],
  ReadOnlyAccess: [
    allow([
      "ec2:Describe*",
      "ec2:Get*",
      "s3:Get*",
      "s3:List*",
      "cloudwatch:Describe*",
      "cloudwatch:Get*",
      "cloudwatch:List*",
      "ecs:Describe*",
      "ecs:List*",
      "iam:Get*",
      "iam:List*",
      "logs:Describe*",
      "logs:Get*",
      "logs:FilterLogEvents",
      "rds:Describe*",
      "lambda:Get*",
      "lambda:List*",
      "dynamodb:Describe*",
      "dynamodb:List*",
    ]),
  ],
  AWSBillingReadOnlyAccess: [allow(["ce:Get*", "ce:Describe*", "budgets:ViewBudget", "aws-portal:View*", "cur:Describe*"])],
  AmazonS3ReadOnlyAccess: [allow(["s3:Get*", "s3:List*", "s3:Describe*"])],
  CloudWatchLogsReadOnlyAccess: [
    allow(["logs:Describe*", "logs:Get*", "logs:List*", "logs:StartQuery", "logs:StopQuery", "logs:TestMetricFilter", "logs:FilterLogEvents"]),
  ],
  AmazonEC2ContainerRegistryReadOnly: [
    allow([
      "ecr:GetAuthorizationToken",
      "ecr:BatchCheckLayerAvailability",
      "ecr:GetDownloadUrlForLayer",
      "ecr:GetRepositoryPolicy",
      "ecr:DescribeRepositories",
      "ecr:ListImages",
      "ecr:DescribeImages",
      "ecr:BatchGetImage",
    ]),
  ],
};

const awsPolicy = (name: string, level: PrivilegeLevel, description: string, actions: string[]): EntitlementSpec => ({
  name,
  level,
  description,
  externalRef: `arn:aws:iam::aws:policy/${name}`,
  actions,
  permissions: AWS_STATEMENTS[name] ?? [allow(actions)],
});

const AWS_ENTITLEMENTS: EntitlementSpec[] = [
  awsPolicy("AdministratorAccess", "admin", "Full access to every AWS service and resource in the account.", [
    "iam:CreateRole",
    "iam:AttachRolePolicy",
    "iam:PassRole",
    "ec2:AuthorizeSecurityGroupIngress",
    "kms:CreateGrant",
    "s3:PutBucketPolicy",
    "ec2:RunInstances",
    "organizations:DescribeOrganization",
  ]),
  awsPolicy("PowerUserAccess", "privileged", "Full access to AWS services except IAM and Organizations management.", [
    "ecs:UpdateService",
    "lambda:UpdateFunctionCode",
    "ec2:RunInstances",
    "rds:ModifyDBInstance",
    "s3:PutObject",
    "cloudformation:UpdateStack",
  ]),
  awsPolicy("IAMFullAccess", "admin", "Create and change IAM users, roles, policies and access keys.", [
    "iam:CreateAccessKey",
    "iam:AttachRolePolicy",
    "iam:PutRolePolicy",
    "iam:CreateUser",
    "iam:UpdateAssumeRolePolicy",
  ]),
  awsPolicy("AmazonS3FullAccess", "privileged", "Read, write and delete every S3 bucket and object, including bucket policies.", [
    "s3:PutObject",
    "s3:GetObject",
    "s3:DeleteObject",
    "s3:ListBucket",
    "s3:PutBucketPolicy",
  ]),
  awsPolicy("AmazonDynamoDBFullAccess", "privileged", "Read and write every DynamoDB table.", [
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:Query",
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
  ]),
  awsPolicy("SecretsManagerReadWrite", "privileged", "Read, write and rotate secrets in Secrets Manager.", [
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:RotateSecret",
  ]),
  awsPolicy("AmazonSQSFullAccess", "privileged", "Send, receive, delete and purge messages on every SQS queue.", [
    "sqs:SendMessage",
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:PurgeQueue",
  ]),
  awsPolicy("ReadOnlyAccess", "standard", "Read-only access to every AWS service.", [
    "ec2:DescribeInstances",
    "s3:ListBucket",
    "cloudwatch:GetMetricData",
    "ecs:DescribeServices",
    "logs:DescribeLogGroups",
  ]),
  awsPolicy("AWSBillingReadOnlyAccess", "standard", "View billing, budgets and cost reports.", [
    "ce:GetCostAndUsage",
    "budgets:ViewBudget",
    "aws-portal:ViewBilling",
  ]),
  awsPolicy("AmazonS3ReadOnlyAccess", "standard", "Read objects from every S3 bucket.", ["s3:GetObject", "s3:ListBucket"]),
  awsPolicy("CloudWatchLogsReadOnlyAccess", "standard", "Search and read CloudWatch log groups.", [
    "logs:FilterLogEvents",
    "logs:GetLogEvents",
    "logs:DescribeLogGroups",
  ]),
  awsPolicy("AmazonEC2ContainerRegistryReadOnly", "standard", "Pull images from ECR repositories.", [
    "ecr:ListImages",
    "ecr:BatchGetImage",
    "ecr:GetAuthorizationToken",
    "ecr:GetDownloadUrlForLayer",
  ]),
];

const k8sEntitlements = (): EntitlementSpec[] => [
  {
    name: "cluster-admin",
    level: "admin",
    description: "Superuser on the whole cluster, including RBAC, secrets and nodes.",
    externalRef: "ClusterRole/cluster-admin",
    actions: ["kubectl create clusterrolebinding", "kubectl get secrets -A", "kubectl delete namespace", "kubectl drain node", "kubectl edit clusterrole"],
  },
  {
    name: "namespace-admin",
    level: "privileged",
    description: "Full control of one namespace, including role bindings and secrets.",
    externalRef: "ClusterRole/admin",
    actions: ["kubectl create rolebinding", "kubectl delete pod", "kubectl get secrets", "kubectl exec -it deploy/{svc}"],
  },
  {
    name: "edit",
    level: "privileged",
    description: "Create and change workloads, config maps and services in a namespace.",
    externalRef: "ClusterRole/edit",
    actions: [
      "kubectl apply -f deployment.yaml",
      "kubectl rollout restart deployment/{svc}",
      "kubectl scale deployment/{svc}",
      "kubectl set image deployment/{svc}",
    ],
  },
  {
    name: "view",
    level: "standard",
    description: "Read workloads, events and logs; no secrets.",
    externalRef: "ClusterRole/view",
    actions: ["kubectl get pods", "kubectl logs deploy/{svc}", "kubectl describe deployment/{svc}", "kubectl get events", "kubectl top pods"],
  },
];

const GITHUB_ENTITLEMENTS: EntitlementSpec[] = [
  {
    name: "org-owner",
    level: "admin",
    description: "Owner of the acme GitHub organisation: members, billing, apps and every repository.",
    externalRef: "org:acme/role:owner",
    actions: ["org.add_member", "org.update_member", "org.remove_member", "org.update_actions_secret", "org.oauth_app_access_approved"],
  },
  {
    name: "repo-admin",
    level: "privileged",
    description: "Admin on repositories: branch protection, deploy keys, secrets and settings.",
    externalRef: "org:acme/repo-role:admin",
    actions: ["protected_branch.update", "repo.add_deploy_key", "repo.update_actions_secret", "repo.update_settings"],
  },
  {
    name: "maintain",
    level: "privileged",
    description: "Manage repositories without access to sensitive or destructive actions.",
    externalRef: "org:acme/repo-role:maintain",
    actions: ["pull_request.merge", "release.create", "branch.delete"],
  },
  {
    name: "write",
    level: "standard",
    description: "Push to repositories and open and merge pull requests.",
    externalRef: "org:acme/repo-role:write",
    actions: ["git push", "pull_request.create", "pull_request.merge"],
  },
  {
    name: "read",
    level: "standard",
    description: "Clone and read repositories.",
    externalRef: "org:acme/repo-role:read",
    actions: ["git clone", "git fetch"],
  },
];

const PAYMENTS_DB_ENTITLEMENTS: EntitlementSpec[] = [
  {
    name: "superuser",
    level: "admin",
    description: "PostgreSQL superuser: bypasses every permission check, can read card and ledger data.",
    externalRef: "role:rds_superuser",
    actions: ["ALTER ROLE", "CREATE ROLE", "DROP TABLE", "ALTER SYSTEM", "SELECT payments.card_tokens"],
  },
  {
    name: "ledger_migrator",
    level: "privileged",
    description: "Runs schema migrations on the ledger schema.",
    externalRef: "role:ledger_migrator",
    actions: ["ALTER TABLE ledger.entries", "CREATE INDEX", "CREATE TABLE"],
  },
  {
    name: "payments_rw",
    level: "privileged",
    description: "Read and write payments and refunds.",
    externalRef: "role:payments_rw",
    actions: ["INSERT payments.transactions", "UPDATE payments.transactions", "DELETE payments.refunds", "SELECT payments.transactions"],
  },
  {
    name: "payments_ro",
    level: "standard",
    description: "Read payments, payouts and ledger entries.",
    externalRef: "role:payments_ro",
    actions: ["SELECT payments.transactions", "SELECT ledger.entries", "SELECT payments.payouts"],
  },
  {
    name: "reporting_ro",
    level: "standard",
    description: "Read the reporting views used for settlement reports.",
    externalRef: "role:reporting_ro",
    actions: ["SELECT reporting.daily_settlements", "SELECT reporting.chargebacks"],
  },
];

const VAULT_ENTITLEMENTS: EntitlementSpec[] = [
  {
    name: "root",
    level: "admin",
    description: "Root policy: every path, every auth method, every policy.",
    externalRef: "policy/root",
    actions: ["vault policy write", "vault auth enable", "vault operator raft snapshot save", "vault token create -policy=root"],
  },
  {
    name: "pki-issuer",
    level: "privileged",
    description: "Issue certificates from the internal intermediate CA.",
    externalRef: "policy/pki-issuer",
    actions: ["vault write pki_int/issue/internal"],
  },
  {
    name: "secrets-write",
    level: "privileged",
    description: "Write and delete application secrets under secret/.",
    externalRef: "policy/secrets-write",
    actions: ["vault kv put secret/{svc}/config", "vault kv delete secret/{svc}/legacy"],
  },
  {
    name: "secrets-read",
    level: "standard",
    description: "Read application secrets under secret/.",
    externalRef: "policy/secrets-read",
    actions: ["vault kv get secret/{svc}/config", "vault read database/creds/{svc}"],
  },
  {
    name: "transit-encrypt",
    level: "standard",
    description: "Encrypt and decrypt with the payments transit key.",
    externalRef: "policy/transit-payments",
    actions: ["vault write transit/encrypt/payments", "vault write transit/decrypt/payments"],
  },
];

const DATADOG_ENTITLEMENTS: EntitlementSpec[] = [
  {
    name: "Datadog Admin Role",
    level: "admin",
    description: "Manage users, roles, keys and organisation settings.",
    externalRef: "role:datadog_admin",
    actions: ["user.role.update", "org.settings.update", "api_key.create", "app_key.create"],
  },
  {
    name: "API Keys Write",
    level: "privileged",
    description: "Create, rotate and revoke API and application keys.",
    externalRef: "permission:api_keys_write",
    actions: ["api_key.create", "api_key.rotate"],
  },
  {
    name: "Datadog Standard Role",
    level: "standard",
    description: "Create and edit dashboards and monitors, query logs and metrics.",
    externalRef: "role:datadog_standard",
    actions: ["dashboard.update", "monitor.update", "logs.query", "metrics.query"],
  },
  {
    name: "Datadog Read Only Role",
    level: "standard",
    description: "View dashboards, monitors, logs and metrics.",
    externalRef: "role:datadog_read_only",
    actions: ["dashboard.view", "logs.query", "metrics.query"],
  },
  {
    name: "Metrics and Logs Ingest",
    level: "standard",
    description: "Submit metrics, logs and traces.",
    externalRef: "permission:ingest",
    actions: ["metrics.submit", "logs.submit", "traces.submit"],
  },
];

const SNOWFLAKE_ENTITLEMENTS: EntitlementSpec[] = [
  {
    name: "ACCOUNTADMIN",
    level: "admin",
    description: "Top-level Snowflake role: every object, every user, billing.",
    externalRef: "role:ACCOUNTADMIN",
    actions: ["ALTER ACCOUNT", "CREATE USER", "GRANT ROLE SYSADMIN", "SHOW GRANTS"],
  },
  {
    name: "SECURITYADMIN",
    level: "admin",
    description: "Manage users, roles and grants.",
    externalRef: "role:SECURITYADMIN",
    actions: ["CREATE ROLE", "GRANT ROLE", "ALTER USER"],
  },
  {
    name: "SYSADMIN",
    level: "privileged",
    description: "Create warehouses, databases and schemas.",
    externalRef: "role:SYSADMIN",
    actions: ["CREATE WAREHOUSE", "CREATE DATABASE", "DROP TABLE"],
  },
  {
    name: "TRANSFORMER",
    level: "privileged",
    description: "Build the analytics models from raw data.",
    externalRef: "role:TRANSFORMER",
    actions: ["CREATE TABLE AS SELECT", "MERGE INTO ANALYTICS.LEDGER_DAILY", "INSERT INTO ANALYTICS.SESSIONS"],
  },
  {
    name: "LOADER",
    level: "privileged",
    description: "Load raw data into the RAW database.",
    externalRef: "role:LOADER",
    actions: ["COPY INTO RAW.EVENTS", "COPY INTO RAW.LEDGER", "PUT @RAW.STAGE"],
  },
  {
    name: "ANALYST",
    level: "standard",
    description: "Query the analytics models.",
    externalRef: "role:ANALYST",
    actions: ["SELECT ANALYTICS.LEDGER_DAILY", "SELECT ANALYTICS.SESSIONS", "SELECT ANALYTICS.FUNNEL"],
  },
  {
    name: "REPORTER",
    level: "standard",
    description: "Read the curated reporting schema.",
    externalRef: "role:REPORTER",
    actions: ["SELECT REPORTING.REVENUE", "SELECT REPORTING.KPIS"],
  },
];

const OKTA_ENTITLEMENTS: EntitlementSpec[] = [
  {
    name: "Super Administrator",
    level: "admin",
    description: "Full control of the Okta org: admins, policies, API tokens, every app.",
    externalRef: "okta:role:SUPER_ADMIN",
    actions: ["user.account.privilege.grant", "policy.lifecycle.update", "system.api_token.create", "application.lifecycle.create"],
  },
  {
    name: "Organization Administrator",
    level: "privileged",
    description: "Create, change and deactivate users and groups.",
    externalRef: "okta:role:ORG_ADMIN",
    actions: ["user.lifecycle.create", "user.lifecycle.deactivate", "group.user_membership.add"],
  },
  {
    name: "Application Administrator",
    level: "privileged",
    description: "Configure applications and assign them to users.",
    externalRef: "okta:role:APP_ADMIN",
    actions: ["application.lifecycle.update", "application.user_membership.add"],
  },
  {
    name: "Help Desk Administrator",
    level: "privileged",
    description: "Reset passwords and MFA factors for non-admin users.",
    externalRef: "okta:role:HELP_DESK_ADMIN",
    actions: ["user.mfa.factor.reset_all", "user.account.reset_password"],
  },
  {
    name: "Read-Only Administrator",
    level: "standard",
    description: "Read users, groups, apps and the system log.",
    externalRef: "okta:role:READ_ONLY_ADMIN",
    actions: ["system.log.read", "user.read"],
  },
  {
    name: "Engineering (group)",
    level: "standard",
    description: "Member of the Engineering group: single sign-on to engineering apps.",
    externalRef: "okta:group:00g1engineering",
    actions: ["user.authentication.sso", "app.oauth2.token.grant"],
  },
];

const EXTRA_AWS_NAMES = [
  "aws-payments-prod",
  "aws-data-prod",
  "aws-security-audit",
  "aws-log-archive",
  "aws-shared-services",
  "aws-network-hub",
  "aws-ml-prod",
  "aws-mobile-prod",
  "aws-growth-prod",
  "aws-payments-staging",
  "aws-data-staging",
  "aws-dr",
];

function awsAccountId(index: number): string {
  // Stable, distinct, twelve digits.
  return String(210987654321 + index * 1_000_003)
    .padStart(12, "0")
    .slice(-12);
}

export function systemCatalog(scale: number): SystemSpec[] {
  const aws = (name: string, externalId: string, environment: string, description: string, owner: OwnerHint): SystemSpec => ({
    name,
    kind: "aws_account",
    environment,
    externalId,
    description,
    owner,
    source: "cloudtrail",
    entitlements: AWS_ENTITLEMENTS,
  });
  const systems: SystemSpec[] = [
    aws("aws-prod", "111122223333", "production", "Production AWS account: payments, ledger and customer-facing workloads.", { teamHead: "Platform" }),
    aws("aws-staging", "444455556666", "staging", "Staging AWS account mirroring production for pre-release testing.", { teamHead: "Platform" }),
    aws("aws-sandbox", "777788889999", "sandbox", "Sandbox AWS account for experiments; no customer data.", { persona: "owner" }),
    {
      name: "k8s-prod-eu",
      kind: "kubernetes",
      environment: "production",
      externalId: "https://k8s-prod-eu.acme.example:6443",
      description: "Production EKS cluster in eu-west-1 serving European customers.",
      owner: { persona: "approver" },
      source: "k8s-audit",
      entitlements: k8sEntitlements(),
    },
    {
      name: "k8s-prod-us",
      kind: "kubernetes",
      environment: "production",
      externalId: "https://k8s-prod-us.acme.example:6443",
      description: "Production EKS cluster in us-east-1 serving North American customers.",
      owner: { persona: "approver" },
      source: "k8s-audit",
      entitlements: k8sEntitlements(),
    },
    {
      name: "github-acme",
      kind: "github",
      environment: "production",
      externalId: "acme",
      description: "The acme GitHub organisation: source code, CI workflows and release automation.",
      owner: { teamHead: "Platform" },
      source: "github-audit",
      entitlements: GITHUB_ENTITLEMENTS,
    },
    {
      name: "payments-db-prod",
      kind: "database",
      environment: "production",
      externalId: "payments-db-prod.cluster-c1x2y3z4.eu-west-1.rds.amazonaws.com",
      description: "PostgreSQL 16 cluster holding payments, payouts and the ledger (PCI scope).",
      owner: { persona: "reviewer" },
      source: "pg-audit",
      entitlements: PAYMENTS_DB_ENTITLEMENTS,
    },
    {
      name: "vault-prod",
      kind: "vault",
      environment: "production",
      externalId: "https://vault.acme.example:8200",
      description: "HashiCorp Vault cluster for application secrets, database credentials and internal PKI.",
      owner: { teamHead: "Security" },
      source: "vault-audit",
      entitlements: VAULT_ENTITLEMENTS,
    },
    {
      name: "datadog",
      kind: "saas",
      environment: "production",
      externalId: "acme.datadoghq.eu",
      description: "Datadog organisation for metrics, logs, APM and on-call dashboards.",
      owner: { persona: "approver" },
      source: "datadog-audit",
      entitlements: DATADOG_ENTITLEMENTS,
    },
    {
      name: "snowflake-analytics",
      kind: "saas",
      environment: "production",
      externalId: "acme-analytics.eu-west-1",
      description: "Snowflake account for analytics, finance reporting and ML features.",
      owner: { teamHead: "Data" },
      source: "snowflake-access-history",
      entitlements: SNOWFLAKE_ENTITLEMENTS,
    },
    {
      name: "okta",
      kind: "idp",
      environment: "production",
      externalId: "acme.okta.com",
      description: "Okta workforce identity: single sign-on, MFA and provisioning for every employee.",
      owner: { persona: "admin" },
      source: "okta",
      entitlements: OKTA_ENTITLEMENTS,
    },
  ];
  const extra = scale > 1 ? Math.ceil(scale) - 1 : 0;
  for (let i = 0; i < extra; i++) {
    const name = i < EXTRA_AWS_NAMES.length ? EXTRA_AWS_NAMES[i] : `aws-workloads-${String(i - EXTRA_AWS_NAMES.length + 1).padStart(3, "0")}`;
    const environment = name.includes("staging") ? "staging" : "production";
    systems.push(aws(name, awsAccountId(i), environment, `AWS member account ${name.slice(4)} in the Acme organisation.`, { teamHead: "Platform" }));
  }
  return systems;
}
