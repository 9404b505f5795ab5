// CloudTrail log files → who exercised which IAM action, when.
//
// classifyRecord runs once per record over millions of records, so it does no
// regex work, caches the action mapping (event-names.ts) and shares principal
// objects between records of the same caller. Treat returned objects as
// read-only.

import { DATE_MAX, DATE_MIN } from "@/lib/validation/fields";
import { textProblem } from "@/lib/validation/input";
import { readLogFiles } from "@/lib/usage/files";
import type { SourceFile } from "@/lib/usage/source";
import { additionalActionsFor, iamActionFor } from "./event-names";

// ---------------------------------------------------------------------------
// Reading files

/** One log file's records, or why it could not be read: an import reports bad files and carries on. */
export type TrailFile = SourceFile<unknown>;

function isTrailName(name: string): boolean {
  const lower = name.toLowerCase();
  // Digest files (log-file validation) sit beside the logs with the same extension but carry no Records.
  if (lower.includes("_cloudtrail-digest_")) return false;
  return lower.endsWith(".json") || lower.endsWith(".json.gz");
}

function parseTrailJson(text: string): unknown[] {
  const doc: unknown = JSON.parse(text);
  if (doc !== null && typeof doc === "object" && !Array.isArray(doc)) {
    const records = (doc as Record<string, unknown>).Records;
    if (Array.isArray(records)) return records;
    // `aws cloudtrail lookup-events` output (Event history, last 90 days of management events).
    const events = (doc as Record<string, unknown>).Events;
    if (Array.isArray(events)) {
      return events.map((e, i) => {
        const raw = e !== null && typeof e === "object" ? (e as Record<string, unknown>).CloudTrailEvent : undefined;
        if (typeof raw !== "string") throw new Error(`Events[${i}] has no CloudTrailEvent`);
        return JSON.parse(raw) as unknown;
      });
    }
  }
  throw new Error('expected a CloudTrail log file ({"Records": [...]}) or lookup-events output ({"Events": [...]})');
}

/**
 * Reads CloudTrail log files: each path a file or a directory searched
 * recursively for *.json and *.json.gz (digest files and folders skipped).
 */
export const readCloudTrail = (paths: string[]): AsyncGenerator<TrailFile> =>
  readLogFiles(paths, { accept: isTrailName, skipDirectory: (name) => name === "CloudTrail-Digest", parse: parseTrailJson });

// ---------------------------------------------------------------------------
// Classifying records

/** The IAM identity behind a call, keyed the same way the inventory's users and roles can be. */
export type TrailPrincipal = {
  kind: "user" | "role" | "root";
  accountId: string;
  name: string;
  /** IAM ARN of the user, or of the ROLE (not the session); null when only an assumed-role ARN was recorded (it omits the role's path). */
  arn: string | null;
  /** `${accountId}:user:${name}`, `${accountId}:role:${name}` or `${accountId}:root`. Never the role id, which changes when a role is re-created. */
  key: string;
};

/** A call a known principal made, allowed or not. */
export type TrailUsage = {
  eventId: string;
  occurredAt: Date;
  action: string;
  /** Actions the call exercises besides `action` (a copy reads its source: s3:GetObject). */
  alsoActions: readonly string[];
  eventSource: string;
  eventName: string;
  /** Any errorCode makes the record a denied attempt rather than usage. */
  outcome: "success" | "denied";
  errorCode: string | null;
  /**
   * A data event (eventCategory Data / managementEvent false). The prefixes of
   * data-event actions (`action.split(":")[0]`) are the dataEventServicesSeen
   * that observability() needs.
   */
  dataEvent: boolean;
  principal: TrailPrincipal;
  sessionName: string | null;
  sourceIp: string | null;
  userAgent: string | null;
  /** recipientAccountId: the account the call was made in (may differ from the principal's). */
  accountId: string;
};

/** Why a record is not usage by a known principal; `principalKey` lets the caller count unknown callers. */
export type TrailSkip = {
  skip: "aws-service" | "anonymous" | "unattributable" | "no-permission" | "not-api-call" | "malformed";
  reason: string;
  principalKey?: string;
};

type Obj = Record<string, unknown>;

function s(o: Obj, key: string): string | null {
  const v = o[key];
  return typeof v === "string" && v !== "" ? v : null;
}

/** "arn:aws:iam::123:user/path/name" → field 4 (account), text after the last "/" (name). */
function arnAccount(arn: string): string | null {
  let start = 0;
  for (let i = 0; i < 4; i++) {
    start = arn.indexOf(":", start) + 1;
    if (start === 0) return null;
  }
  const end = arn.indexOf(":", start);
  return end > start ? arn.slice(start, end) : null;
}

function lastSegment(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

// Principals are shared between records: the same few hundred callers make millions of calls.
// Keyed by the ARN the record carries, so a cache hit costs no string building.
const principalCache = new Map<string, TrailPrincipal>();

function remember(cacheKey: string, p: TrailPrincipal): TrailPrincipal {
  if (principalCache.size > 100_000) principalCache.clear();
  principalCache.set(cacheKey, Object.freeze(p));
  return p;
}

function malformed(reason: string): TrailSkip {
  return { skip: "malformed", reason };
}

type Resolved = { principal: TrailPrincipal; sessionName: string | null } | TrailSkip;

function resolveIdentity(ui: Obj): Resolved {
  const type = ui.type;
  const arn = s(ui, "arn");
  switch (type) {
    case "IAMUser": {
      const hit = arn ? principalCache.get(arn) : undefined;
      if (hit) return { principal: hit, sessionName: null };
      const accountId = s(ui, "accountId") ?? (arn ? arnAccount(arn) : null);
      const name = s(ui, "userName") ?? (arn ? lastSegment(arn) : null);
      if (!accountId || !name) return malformed("IAMUser without account or user name");
      const principal: TrailPrincipal = { kind: "user", accountId, name, arn, key: `${accountId}:user:${name}` };
      return { principal: arn ? remember(arn, principal) : principal, sessionName: null };
    }
    case "AssumedRole": {
      const sessionName = arn ? lastSegment(arn) : null;
      const ctx = ui.sessionContext;
      const issuer = ctx !== null && typeof ctx === "object" ? (ctx as Obj).sessionIssuer : undefined;
      if (issuer !== null && typeof issuer === "object" && (issuer as Obj).type === "Role") {
        const issuerArn = s(issuer as Obj, "arn");
        if (issuerArn) {
          const hit = principalCache.get(issuerArn);
          if (hit) return { principal: hit, sessionName };
          const accountId = s(issuer as Obj, "accountId") ?? arnAccount(issuerArn);
          const name = s(issuer as Obj, "userName") ?? lastSegment(issuerArn);
          if (accountId)
            return { principal: remember(issuerArn, { kind: "role", accountId, name, arn: issuerArn, key: `${accountId}:role:${name}` }), sessionName };
        }
      }
      // arn:aws:sts::<acct>:assumed-role/<RoleName>/<session>: no path, so no IAM ARN; key on account + name.
      if (arn) {
        const marker = arn.indexOf(":assumed-role/");
        const roleEnd = arn.lastIndexOf("/");
        if (marker > 0 && roleEnd > marker + 14) {
          const cacheKey = arn.slice(0, roleEnd);
          const hit = principalCache.get(cacheKey);
          if (hit) return { principal: hit, sessionName };
          const accountId = arnAccount(arn);
          const name = arn.slice(marker + 14, roleEnd);
          if (accountId) return { principal: remember(cacheKey, { kind: "role", accountId, name, arn: null, key: `${accountId}:role:${name}` }), sessionName };
        }
      }
      const principalId = s(ui, "principalId");
      const roleId = principalId ? principalId.split(":")[0] : null;
      return {
        skip: "unattributable",
        reason: "assumed role without a session issuer or assumed-role ARN",
        principalKey: `${s(ui, "accountId") ?? "unknown"}:role-id:${roleId ?? "unknown"}`,
      };
    }
    case "Root": {
      const hit = arn ? principalCache.get(arn) : undefined;
      if (hit) return { principal: hit, sessionName: null };
      const accountId = s(ui, "accountId") ?? (arn ? arnAccount(arn) : null);
      if (!accountId) return malformed("Root without an account id");
      const principal: TrailPrincipal = { kind: "root", accountId, name: "root", arn: arn ?? `arn:aws:iam::${accountId}:root`, key: `${accountId}:root` };
      return { principal: arn ? remember(arn, principal) : principal, sessionName: null };
    }
    case "AWSService":
      return { skip: "aws-service", reason: `called by AWS service ${s(ui, "invokedBy") ?? "unknown"}` };
    case "AWSAccount": {
      const accountId = s(ui, "accountId");
      const principalId = s(ui, "principalId");
      if (accountId === "ANONYMOUS_PRINCIPAL" || principalId === "ANONYMOUS_PRINCIPAL") return { skip: "anonymous", reason: "anonymous request" };
      return {
        skip: "unattributable",
        reason: "principal of another AWS account",
        principalKey: `aws-account:${accountId ?? "unknown"}:${principalId ?? "unknown"}`,
      };
    }
    case "FederatedUser":
      return {
        skip: "unattributable",
        reason: "federated user (GetFederationToken)",
        principalKey: `federated-user:${arn ?? s(ui, "principalId") ?? "unknown"}`,
      };
    case "SAMLUser":
    case "WebIdentityUser":
      return {
        skip: "unattributable",
        reason: type === "SAMLUser" ? "SAML-federated user" : "web-identity user",
        principalKey: `${type === "SAMLUser" ? "saml-user" : "web-identity-user"}:${s(ui, "identityProvider") ?? "unknown"}:${s(ui, "userName") ?? s(ui, "principalId") ?? "unknown"}`,
      };
    case "IdentityCenterUser": {
      const onBehalfOf = ui.onBehalfOf !== null && typeof ui.onBehalfOf === "object" ? (ui.onBehalfOf as Obj) : {};
      return {
        skip: "unattributable",
        reason: "IAM Identity Center user",
        principalKey: `identity-center-user:${s(onBehalfOf, "userId") ?? s(ui, "principalId") ?? "unknown"}`,
      };
    }
    default: {
      if (type === undefined && s(ui, "invokedBy")) return { skip: "aws-service", reason: `invoked by AWS service ${s(ui, "invokedBy")}` };
      const who = s(ui, "userName") ?? s(ui, "principalId") ?? arn;
      if ((type === "Unknown" || type === undefined) && !who) return { skip: "anonymous", reason: "caller without an identity" };
      return {
        skip: "unattributable",
        reason: `identity type ${String(type)}`,
        principalKey: `${String(type).toLowerCase()}:${s(ui, "accountId") ?? "unknown"}:${who ?? "unknown"}`,
      };
    }
  }
}

/**
 * Turns one CloudTrail record into usage by an IAM principal, or says why it
 * isn't: an AWS service acting for itself, an anonymous caller, a principal
 * the inventory can't hold (federated, Identity Center, another account's),
 * a call needing no permission, a non-API event, or a broken record. Follows
 * the reconciliation rule that any errorCode is a denied attempt, not usage.
 */
export function classifyRecord(record: unknown): TrailUsage | TrailSkip {
  if (record === null || typeof record !== "object") return malformed("record is not an object");
  const r = record as Obj;
  const eventType = r.eventType;
  if (eventType === "AwsServiceEvent") return { skip: "aws-service", reason: "event generated by an AWS service, not an API call" };
  if (eventType === "AwsCloudTrailInsight") return { skip: "not-api-call", reason: "CloudTrail Insights event" };
  if (r.eventCategory === "NetworkActivity") return { skip: "not-api-call", reason: "VPC endpoint network activity event" };
  const eventSource = r.eventSource;
  const eventName = r.eventName;
  const eventId = r.eventID;
  const eventTime = r.eventTime;
  if (typeof eventSource !== "string" || eventSource === "") return malformed("no eventSource");
  if (typeof eventName !== "string" || eventName === "") return malformed("no eventName");
  if (typeof eventId !== "string" || eventId === "") return malformed("no eventID");
  if (typeof eventTime !== "string") return malformed("no eventTime");
  const ui = r.userIdentity;
  if (ui === null || typeof ui !== "object") return malformed("no userIdentity");

  const resolved = resolveIdentity(ui as Obj);
  if ("skip" in resolved) return resolved;
  const { principal, sessionName } = resolved;
  // What is stored obeys the input rules: a NUL in one record skips that record, never the batch it is written with.
  for (const [field, value] of [
    ["eventID", eventId],
    ["eventSource", eventSource],
    ["eventName", eventName],
    ["session name", sessionName],
  ] as const) {
    const problem = typeof value === "string" ? textProblem(value, 1000) : null;
    if (problem) return malformed(`${field} ${problem}`);
  }

  if (eventType === "AwsConsoleSignIn" || eventType === "AwsConsoleAction") {
    return {
      skip: "no-permission",
      reason: eventType === "AwsConsoleSignIn" ? "console sign-in" : "console action, not an API call",
      principalKey: principal.key,
    };
  }
  const action = iamActionFor(eventSource, eventName);
  if (action === null) return { skip: "no-permission", reason: `${eventName} needs no IAM permission`, principalKey: principal.key };

  const occurredAt = new Date(eventTime);
  if (Number.isNaN(occurredAt.getTime())) return malformed(`eventTime ${eventTime} is not a date`);
  if (occurredAt < DATE_MIN || occurredAt > DATE_MAX) return malformed(`eventTime ${eventTime} is not between 1970 and 9999`);
  const errorCode = typeof r.errorCode === "string" && r.errorCode !== "" ? r.errorCode : null;
  const recipient = r.recipientAccountId;

  return {
    eventId,
    occurredAt,
    action,
    alsoActions: additionalActionsFor(eventSource, eventName),
    eventSource,
    eventName,
    outcome: errorCode === null ? "success" : "denied",
    errorCode,
    dataEvent: r.eventCategory === "Data" || r.managementEvent === false,
    principal,
    sessionName,
    sourceIp: typeof r.sourceIPAddress === "string" ? r.sourceIPAddress : null,
    userAgent: typeof r.userAgent === "string" ? r.userAgent : null,
    accountId: typeof recipient === "string" && recipient !== "" ? recipient : principal.accountId,
  };
}
