import type { SystemSpec } from "./catalog";
import type { NhiKind, SeedSystem } from "./nhis";
import type { Rng } from "./random";

/** Realistic names and purposes for NHIs, by kind and by the system they live in. */

export type Template = { name: string; purpose: string; externalId?: string };

const GITHUB_BOTS: Template[] = [
  { name: "renovate-bot", purpose: "Opens dependency update pull requests across acme repositories" },
  { name: "dependabot-security", purpose: "Opens security update pull requests for vulnerable dependencies" },
  { name: "release-please-bot", purpose: "Cuts releases and changelogs from conventional commits" },
  { name: "acme-ci-bot", purpose: "Comments build and test results on pull requests" },
  { name: "merge-queue-bot", purpose: "Rebases and merges approved pull requests through the merge queue" },
  { name: "stale-bot", purpose: "Labels and closes stale issues and pull requests" },
  { name: "docs-publisher-bot", purpose: "Publishes the developer portal when docs change on main" },
  { name: "codeowners-sync-bot", purpose: "Keeps CODEOWNERS files in sync with team membership" },
];

const AI_AGENTS: Record<string, Template[]> = {
  github: [
    { name: "code-review-agent", purpose: "Reviews pull requests and suggests changes before human review" },
    { name: "test-generation-agent", purpose: "Writes missing unit tests and opens pull requests with them" },
    { name: "release-notes-agent", purpose: "Drafts release notes from merged pull requests" },
  ],
  aws: [
    { name: "support-copilot-agent", purpose: "Drafts replies to support tickets from the knowledge base (Bedrock)" },
    { name: "fraud-investigation-agent", purpose: "Summarises suspicious payment patterns for the fraud team" },
  ],
  snowflake: [{ name: "sql-analyst-agent", purpose: "Answers analytics questions by writing and running Snowflake SQL" }],
  datadog: [
    { name: "incident-triage-agent", purpose: "Summarises incidents from Datadog alerts and suggests an owner" },
    { name: "log-summarizer-agent", purpose: "Summarises error logs for the daily reliability report" },
  ],
  idp: [
    { name: "access-request-agent", purpose: "Triages access requests and drafts approval recommendations" },
    { name: "onboarding-assistant-agent", purpose: "Answers new joiners' questions about the access they need" },
  ],
};

const underscore = (s: string) => s.replace(/-/g, "_");
const upper = (s: string) => underscore(s).toUpperCase();
const title = (s: string) => s.replace(/-/g, " ");

export function templates(kind: NhiKind, system: SeedSystem, svc: string, rng: Rng, clusters: string[]): Template[] {
  const s = system.spec;
  const sys = s.name;
  const acct = s.externalId;
  const cluster = rng.pick(clusters);
  const ns = svc;
  switch (kind) {
    case "service_account":
      switch (s.kind) {
        case "aws_account":
          return [
            { name: `svc-${svc}`, purpose: `IAM user for ${svc} jobs that still run outside the cluster in ${sys}` },
            { name: `ci-${svc}-uploader`, purpose: `Legacy CI user that uploads ${svc} build artifacts to S3 in ${sys}` },
            { name: `${svc}-s3-sync`, purpose: `Syncs ${title(svc)} exports to S3 in ${sys}` },
          ].map((t) => ({ ...t, externalId: `arn:aws:iam::${acct}:user/${t.name}` }));
        case "kubernetes":
          return [
            { name: `svc-${svc}`, purpose: `Runs ${svc} pods in ${sys}` },
            { name: `${svc}-worker`, purpose: `Background workers for ${svc} in ${sys}` },
            { name: `${svc}-controller`, purpose: `Reconciles ${svc} custom resources in ${sys}` },
            { name: `deploy-${svc}`, purpose: `Deploys ${svc} to ${sys} from GitHub Actions` },
          ].map((t) => ({ ...t, externalId: `system:serviceaccount:${ns}:${t.name}` }));
        case "database":
          return [
            { name: `svc_${underscore(svc)}`, purpose: `Application login for ${svc} on ${sys}` },
            { name: `${underscore(svc)}_batch`, purpose: `Nightly ${title(svc)} batch jobs against ${sys}` },
            { name: `${underscore(svc)}_migrator`, purpose: `Runs ${svc} schema migrations during deploys` },
            { name: `${underscore(svc)}_export`, purpose: "Nightly export of ledger tables to Snowflake" },
          ];
        case "saas":
          if (sys === "datadog") return [{ name: `svc-${svc}-monitors`, purpose: `Manages ${svc} monitors and dashboards as code from Terraform` }];
          return [
            { name: `SVC_${upper(svc)}`, purpose: `Loads ${title(svc)} data into Snowflake RAW every hour` },
            { name: `${upper(svc)}_DBT`, purpose: `Runs the dbt models built on ${title(svc)} data` },
            { name: `SVC_LEDGER_EXPORT`, purpose: "Nightly export of ledger tables to Snowflake" },
          ];
        case "idp":
          return [
            { name: `svc-${svc}-scim`, purpose: `Provisions users from Okta into ${svc} over SCIM` },
            { name: `svc-${svc}-oidc`, purpose: `OIDC client that ${svc} uses for employee sign-in` },
          ];
        case "vault":
          return [{ name: `svc-${svc}`, purpose: `Vault entity for ${svc}; reads its database credentials and configuration` }];
        case "github":
          return [{ name: `acme-${svc}-ci`, purpose: `Machine user that clones private modules for ${svc} builds` }];
      }
      break;
    case "api_key":
      if (sys === "datadog")
        return [
          { name: `datadog-api-key-${svc}`, purpose: `Ships ${svc} metrics, logs and traces to Datadog` },
          { name: `datadog-api-key-ingest`, purpose: `Shared ingest key used by the ${ns} log forwarders` },
          { name: `datadog-app-key-${svc}`, purpose: `Lets ${svc} tooling read monitors and post events to Datadog` },
        ];
      if (s.kind === "github")
        return [
          { name: `gh-pat-${svc}`, purpose: `Personal access token used by ${svc} scripts to open pull requests` },
          { name: `gh-app-${svc}-release`, purpose: `GitHub App installation token for ${svc} release automation` },
        ];
      if (s.kind === "idp") return [{ name: `okta-api-token-${svc}`, purpose: `Okta API token that ${svc} uses to sync groups and users` }];
      if (s.kind === "vault") return [{ name: `vault-token-${svc}`, purpose: `Periodic Vault token that ${svc} uses to read secrets at start-up` }];
      return [{ name: `snowflake-key-${svc}`, purpose: `Key-pair login that ${svc} uses to query Snowflake` }];
    case "workload_role":
      if (s.kind === "vault")
        return [{ name: `approle-${svc}`, purpose: `AppRole that ${svc} uses to log in to Vault from CI`, externalId: `auth/approle/role/${svc}` }];
      return [
        { name: `${svc}-task`, purpose: `ECS task role for ${svc} in ${sys}` },
        { name: `gha-deploy-${svc}`, purpose: `Deploys ${svc} to ${cluster} from GitHub Actions` },
        { name: `${svc}-irsa`, purpose: `IRSA role for ${svc} pods in ${cluster}` },
        { name: `${svc}-lambda`, purpose: `Lambda execution role for ${title(svc)} functions in ${sys}` },
        ...(svc === "ledger-export" ? [{ name: "ledger-export-snowflake", purpose: "Nightly export of ledger tables to Snowflake" }] : []),
      ].map((t) => ({ ...t, externalId: `arn:aws:iam::${acct}:role/${t.name}` }));
    case "bot":
      if (s.kind === "github") return [...GITHUB_BOTS, { name: `${svc}-release-bot`, purpose: `Tags and announces ${svc} releases` }];
      if (s.kind === "kubernetes")
        return [
          { name: "argocd-image-updater", purpose: `Bumps image tags in ${sys} when new images are pushed` },
          { name: "cert-manager", purpose: `Issues and renews TLS certificates in ${sys}` },
          { name: `${svc}-autoscaler-bot`, purpose: `Scales ${svc} ahead of known traffic peaks` },
        ];
      return [
        { name: "slack-oncall-bot", purpose: "Posts Datadog alerts to the on-call Slack channels" },
        { name: `${svc}-synthetics-bot`, purpose: `Runs synthetic checks against ${svc} every five minutes` },
      ];
    case "ai_agent": {
      const key = s.kind === "aws_account" ? "aws" : s.kind === "github" ? "github" : s.kind === "idp" ? "idp" : sys === "datadog" ? "datadog" : "snowflake";
      const extra: Template = { name: `${svc}-assistant-agent`, purpose: `AI agent that helps the ${svc} team with routine operational tasks` };
      const list = [...AI_AGENTS[key], extra];
      return s.kind === "aws_account" ? list.map((t) => ({ ...t, externalId: `arn:aws:iam::${acct}:role/${t.name}` })) : list;
    }
    case "certificate":
      if (s.kind === "kubernetes")
        return [
          { name: `mtls-${svc}`, purpose: `mTLS identity for ${svc} in the ${sys} service mesh` },
          { name: `tls-${svc}-acme-example`, purpose: `TLS certificate for ${svc}.acme.example` },
          { name: "mtls-payments-gateway", purpose: "mTLS client certificate for calling the card network payments gateway" },
        ];
      if (s.kind === "vault") return [{ name: `pki-${svc}-client`, purpose: `Client certificate issued by the internal CA for ${svc}` }];
      if (s.kind === "idp") return [{ name: `saml-signing-${svc}`, purpose: `SAML signing certificate for ${svc} single sign-on` }];
      return [
        {
          name: `acm-${svc}-acme-example`,
          purpose: `ACM certificate for ${svc}.acme.example on the ${sys} load balancer`,
          externalId: `arn:aws:acm:eu-west-1:${acct}:certificate/${rng.uuid()}`,
        },
      ];
  }
  return [{ name: `svc-${svc}`, purpose: `Runs ${svc}` }];
}

/** The name, or the name with a two-digit suffix when the system already has it. */
export function uniqueName(taken: Set<string>, base: string, system: SystemSpec): string {
  if (!taken.has(base)) return base;
  const sep = system.kind === "database" || system.name === "snowflake-analytics" ? "_" : "-";
  for (let i = 2; ; i++) {
    const candidate = `${base}${sep}${String(i).padStart(2, "0")}`;
    if (!taken.has(candidate)) return candidate;
  }
}
