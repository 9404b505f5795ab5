// The IAM inventory of one AWS account, from AWS's own exports:
// `aws iam get-account-authorization-details` (who exists and which policies
// they hold) and `aws iam get-credential-report` (passwords, access keys, MFA).

import { parse as parseCsv } from "csv-parse/sync";
import type { IdentityKind } from "@/db/schema/identity";
import { type Statement, actionMatches, normalizePolicyDocument, policyStatements } from "@/lib/permissions/aws/catalogue";

export type InlinePolicy = { name: string; statements: Statement[] };

/** A user or role as governance sees it: identity, where its permissions come from, and what says who it is. */
export type AwsPrincipal = {
  kind: "user" | "role";
  name: string;
  id: string;
  arn: string;
  path: string;
  createdAt: Date;
  tags: Record<string, string>;
  attachedPolicyArns: string[];
  inlinePolicies: InlinePolicy[];
  /** Group names (users only; [] for roles). */
  groups: string[];
  /** Roles: the assume-role policy; null for users. */
  trustPolicy: Statement[] | null;
  /** Roles: Principal AWS/Service/Federated values of Allow statements covering sts:AssumeRole*; who can become this role. */
  trustedPrincipals: string[];
  permissionsBoundaryArn: string | null;
  /** Roles: RoleLastUsed.LastUsedDate, AWS's own last-use evidence (null when never used or for users). */
  lastUsedAt: Date | null;
  /** Roles: the instance profiles carrying it, so EC2 instances can run as it ([] for users). */
  instanceProfileArns: string[];
};

/** Groups only carry permissions; users inherit them. */
export type AwsGroup = { name: string; arn: string; attachedPolicyArns: string[]; inlinePolicies: InlinePolicy[] };

/** A managed policy at its default version, the only version AWS evaluates. */
export type AwsManagedPolicy = {
  arn: string;
  name: string;
  path: string;
  defaultVersionId: string;
  statements: Statement[];
  /** arn:aws:iam::aws:policy/…: owned by AWS, changes without the account doing anything. */
  awsManaged: boolean;
};

/** One account's IAM, normalized; `warnings` lists what the export lacked so the import can say so rather than guess. */
export type AwsInventory = {
  accountId: string;
  users: AwsPrincipal[];
  roles: AwsPrincipal[];
  groups: AwsGroup[];
  policies: Map<string, AwsManagedPolicy>;
  warnings: string[];
};

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function str(o: Obj, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== "string" || v === "") throw new Error(`${where}: ${key} is missing`);
  return v;
}

function optStr(o: Obj, key: string): string | null {
  const v = o[key];
  return typeof v === "string" && v !== "" ? v : null;
}

function date(o: Obj, key: string, where: string): Date {
  const raw = o[key];
  const d = typeof raw === "string" || typeof raw === "number" ? new Date(raw) : null;
  if (!d || Number.isNaN(d.getTime())) throw new Error(`${where}: ${key} is not a date (${JSON.stringify(raw)})`);
  return d;
}

function list(o: Obj, key: string, where: string): Obj[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Error(`${where}: ${key} must be an array`);
  v.forEach((item, i) => {
    if (!isObj(item)) throw new Error(`${where}: ${key}[${i}] is not an object`);
  });
  return v as Obj[];
}

function tagsOf(o: Obj, where: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const t of list(o, "Tags", where)) {
    if (typeof t.Key === "string") tags[t.Key] = typeof t.Value === "string" ? t.Value : "";
  }
  return tags;
}

function inlineOf(o: Obj, key: string, where: string): InlinePolicy[] {
  return list(o, key, where).map((p, i) => {
    const name = str(p, "PolicyName", `${where}: ${key}[${i}]`);
    return { name, statements: normalizePolicyDocument(p.PolicyDocument, `${where}: inline policy ${name}`) };
  });
}

function attachedOf(o: Obj, where: string): string[] {
  return list(o, "AttachedManagedPolicies", where).map((p, i) => str(p, "PolicyArn", `${where}: AttachedManagedPolicies[${i}]`));
}

function boundaryOf(o: Obj): string | null {
  const b = o.PermissionsBoundary;
  return isObj(b) ? optStr(b, "PermissionsBoundaryArn") : null;
}

const ASSUME_ROLE_ACTIONS = ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"];

/** Who may assume a role: the Principal values of Allow statements that cover any sts:AssumeRole* action. */
function trustedPrincipalsOf(doc: unknown, where: string): string[] {
  const out = new Set<string>();
  for (const s of policyStatements(doc, where)) {
    if (typeof s.Effect !== "string" || s.Effect.toLowerCase() !== "allow") continue;
    const actions = s.Action === undefined ? null : (Array.isArray(s.Action) ? s.Action : [s.Action]).filter((a): a is string => typeof a === "string");
    const notActions =
      s.NotAction === undefined ? null : (Array.isArray(s.NotAction) ? s.NotAction : [s.NotAction]).filter((a): a is string => typeof a === "string");
    const covers = ASSUME_ROLE_ACTIONS.some((a) =>
      actions ? actions.some((p) => actionMatches(p, a)) : notActions ? !notActions.some((p) => actionMatches(p, a)) : false,
    );
    if (!covers) continue;
    const principal = s.Principal;
    if (principal === "*") out.add("*");
    else if (isObj(principal)) {
      for (const key of ["AWS", "Service", "Federated"]) {
        const v = principal[key];
        for (const p of Array.isArray(v) ? v : [v]) if (typeof p === "string" && p) out.add(p);
      }
    }
  }
  return [...out];
}

function accountOfArn(arn: string): string | null {
  const parts = arn.split(":");
  return parts.length >= 6 && /^\d{12}$/.test(parts[4]) ? parts[4] : null;
}

function mergePages(input: unknown): Obj {
  let value = input;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch (err) {
      throw new Error(`Authorization details: not valid JSON (${(err as Error).message})`);
    }
  }
  // Raw API pages (boto3/SDK paging) may be passed as an array; the CLI merges them itself.
  if (Array.isArray(value)) {
    const merged: Obj = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] };
    for (const page of value) {
      if (!isObj(page)) throw new Error("Authorization details: every page must be an object");
      for (const key of ["UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"]) {
        const items = page[key];
        if (Array.isArray(items)) (merged[key] as unknown[]).push(...(items as unknown[]));
      }
      merged.IsTruncated = page.IsTruncated;
    }
    return merged;
  }
  if (!isObj(value) || !["UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"].some((k) => k in value)) {
    throw new Error("Authorization details: expected the JSON printed by `aws iam get-account-authorization-details` (UserDetailList, RoleDetailList, …)");
  }
  return value;
}

/**
 * Parses `aws iam get-account-authorization-details` output. Policy documents
 * may be URL-encoded strings (as AWS returns them) or objects. Gaps that make
 * the picture incomplete but still usable (a policy attached but absent from
 * Policies, truncated output, several accounts) go to `warnings`; structural
 * problems throw, since importing half-read IAM would misstate access.
 */
export function parseAuthorizationDetails(input: unknown): AwsInventory {
  const doc = mergePages(input);
  const warnings: string[] = [];
  if (doc.IsTruncated === true)
    warnings.push("The export is truncated (IsTruncated is true): re-run without --no-paginate / --max-items so every page is included.");

  const policies = new Map<string, AwsManagedPolicy>();
  list(doc, "Policies", "Policies").forEach((p, i) => {
    const where = `Policies[${i}]`;
    const arn = str(p, "Arn", where);
    const name = str(p, "PolicyName", where);
    const defaultVersionId = optStr(p, "DefaultVersionId");
    const versions = list(p, "PolicyVersionList", `${where} (${name})`);
    const version = versions.find((v) => v.IsDefaultVersion === true) ?? versions.find((v) => defaultVersionId !== null && v.VersionId === defaultVersionId);
    let statements: Statement[] = [];
    if (!version || version.Document === undefined) {
      warnings.push(`Managed policy ${arn} has no default version document in the export; treating it as granting nothing.`);
    } else {
      statements = normalizePolicyDocument(version.Document, `Managed policy ${arn}`);
    }
    policies.set(arn, {
      arn,
      name,
      path: optStr(p, "Path") ?? "/",
      defaultVersionId: defaultVersionId ?? (version && typeof version.VersionId === "string" ? version.VersionId : ""),
      statements,
      awsManaged: arn.includes(":iam::aws:policy/"),
    });
  });

  const users: AwsPrincipal[] = list(doc, "UserDetailList", "UserDetailList").map((u, i) => {
    const where = `UserDetailList[${i}]`;
    const name = str(u, "UserName", where);
    const at = `${where} (${name})`;
    const groups = u.GroupList === undefined ? [] : Array.isArray(u.GroupList) ? u.GroupList.filter((g): g is string => typeof g === "string") : [];
    return {
      kind: "user",
      name,
      id: str(u, "UserId", at),
      arn: str(u, "Arn", at),
      path: optStr(u, "Path") ?? "/",
      createdAt: date(u, "CreateDate", at),
      tags: tagsOf(u, at),
      attachedPolicyArns: attachedOf(u, at),
      inlinePolicies: inlineOf(u, "UserPolicyList", at),
      groups,
      trustPolicy: null,
      trustedPrincipals: [],
      permissionsBoundaryArn: boundaryOf(u),
      lastUsedAt: null,
      instanceProfileArns: [],
    };
  });

  const roles: AwsPrincipal[] = list(doc, "RoleDetailList", "RoleDetailList").map((r, i) => {
    const where = `RoleDetailList[${i}]`;
    const name = str(r, "RoleName", where);
    const at = `${where} (${name})`;
    const trustDoc = r.AssumeRolePolicyDocument;
    const trustWhere = `Trust policy of role ${name}`;
    let lastUsedAt: Date | null = null;
    if (isObj(r.RoleLastUsed) && typeof r.RoleLastUsed.LastUsedDate === "string") {
      const d = new Date(r.RoleLastUsed.LastUsedDate);
      lastUsedAt = Number.isNaN(d.getTime()) ? null : d;
    }
    if (trustDoc === undefined) warnings.push(`Role ${name} has no AssumeRolePolicyDocument in the export.`);
    return {
      kind: "role",
      name,
      id: str(r, "RoleId", at),
      arn: str(r, "Arn", at),
      path: optStr(r, "Path") ?? "/",
      createdAt: date(r, "CreateDate", at),
      tags: tagsOf(r, at),
      attachedPolicyArns: attachedOf(r, at),
      inlinePolicies: inlineOf(r, "RolePolicyList", at),
      groups: [],
      trustPolicy: trustDoc === undefined ? null : normalizePolicyDocument(trustDoc, trustWhere),
      trustedPrincipals: trustDoc === undefined ? [] : trustedPrincipalsOf(trustDoc, trustWhere),
      permissionsBoundaryArn: boundaryOf(r),
      lastUsedAt,
      instanceProfileArns: list(r, "InstanceProfileList", at)
        .map((p) => optStr(p, "Arn"))
        .filter((a): a is string => !!a),
    };
  });

  const groups: AwsGroup[] = list(doc, "GroupDetailList", "GroupDetailList").map((g, i) => {
    const where = `GroupDetailList[${i}]`;
    const name = str(g, "GroupName", where);
    const at = `${where} (${name})`;
    return { name, arn: str(g, "Arn", at), attachedPolicyArns: attachedOf(g, at), inlinePolicies: inlineOf(g, "GroupPolicyList", at) };
  });

  // Attached (or boundary) policies the export doesn't contain: most often AWS managed
  // policies, which appear only when --filter includes AWSManagedPolicy.
  const missing = new Map<string, string[]>();
  const note = (arn: string, holder: string) => {
    if (policies.has(arn)) return;
    const holders = missing.get(arn);
    if (holders) holders.push(holder);
    else missing.set(arn, [holder]);
  };
  for (const u of users) {
    for (const arn of u.attachedPolicyArns) note(arn, `user ${u.name}`);
    if (u.permissionsBoundaryArn) note(u.permissionsBoundaryArn, `user ${u.name} (permissions boundary)`);
  }
  for (const r of roles) {
    for (const arn of r.attachedPolicyArns) note(arn, `role ${r.name}`);
    if (r.permissionsBoundaryArn) note(r.permissionsBoundaryArn, `role ${r.name} (permissions boundary)`);
  }
  for (const g of groups) for (const arn of g.attachedPolicyArns) note(arn, `group ${g.name}`);
  for (const [arn, holders] of missing) {
    const hint = arn.includes(":iam::aws:policy/") ? " (AWS managed policies are exported only when --filter includes AWSManagedPolicy)" : "";
    warnings.push(`Policy ${arn} is attached to ${holders.join(", ")} but its document is not in the export${hint}; treating it as granting nothing.`);
  }
  const groupNames = new Set(groups.map((g) => g.name));
  for (const u of users)
    for (const g of u.groups)
      if (!groupNames.has(g)) warnings.push(`User ${u.name} is in group ${g}, which is not in the export; its policies are not counted.`);

  const accounts = new Set<string>();
  for (const p of [...users, ...roles, ...groups]) {
    const a = accountOfArn(p.arn);
    if (a) accounts.add(a);
  }
  for (const arn of policies.keys()) {
    const a = accountOfArn(arn);
    if (a) accounts.add(a);
  }
  if (accounts.size === 0) throw new Error("Authorization details: no user, role, group or customer managed policy ARN names the account");
  const [accountId, ...others] = [...accounts].sort();
  if (others.length > 0) warnings.push(`ARNs name several accounts (${[accountId, ...others].join(", ")}); using ${accountId}.`);

  return { accountId, users, roles, groups, policies, warnings };
}

// ---------------------------------------------------------------------------
// Credential report

export type AccessKeyInfo = { active: boolean; lastRotated: Date | null; lastUsed: Date | null; lastUsedService: string | null };

/** One user's row of the credential report: the only export that says whether a user has keys or a password. */
export type CredentialInfo = {
  arn: string | null;
  passwordEnabled: boolean;
  passwordLastUsed: Date | null;
  mfaActive: boolean;
  /** Existing keys only (a slot with neither an active key nor a rotation date is empty). */
  accessKeys: AccessKeyInfo[];
};

const NULLISH = new Set(["", "N/A", "no_information", "not_supported"]);

function cell(row: Record<string, string>, key: string): string | null {
  const v = row[key];
  return v === undefined || NULLISH.has(v) ? null : v;
}

function cellDate(row: Record<string, string>, key: string): Date | null {
  const v = cell(row, key);
  if (v === null) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * Parses the credential report CSV (already base64-decoded; the CLI's JSON
 * wrapper `{"Content": "<base64>"}` is accepted too). Keyed by user name; the
 * root account appears as "<root_account>".
 */
export function parseCredentialReport(csv: string): Map<string, CredentialInfo> {
  let text = csv.replace(/^\uFEFF/, "");
  if (text.trimStart().startsWith("{")) {
    let wrapper: unknown;
    try {
      wrapper = JSON.parse(text);
    } catch (err) {
      throw new Error(`Credential report: not valid JSON (${(err as Error).message})`);
    }
    if (!isObj(wrapper) || typeof wrapper.Content !== "string") throw new Error("Credential report: JSON without a Content field");
    text = Buffer.from(wrapper.Content, "base64").toString("utf8");
  }
  const columns = (header: string[]) => {
    if (!["user", "password_enabled", "mfa_active", "access_key_1_active"].every((c) => header.includes(c))) {
      throw new Error("Credential report: expected the columns of `aws iam get-credential-report` (user, password_enabled, access_key_1_active, …)");
    }
    return header;
  };
  let rows: Record<string, string>[];
  try {
    rows = parseCsv<Record<string, string>>(text, { columns, skip_empty_lines: true, trim: true });
  } catch (err) {
    const message = (err as Error).message;
    throw new Error(message.startsWith("Credential report:") ? message : `Credential report: not valid CSV (${message})`);
  }
  const out = new Map<string, CredentialInfo>();
  for (const row of rows) {
    const accessKeys: AccessKeyInfo[] = [];
    for (const n of [1, 2]) {
      const active = row[`access_key_${n}_active`] === "true";
      const lastRotated = cellDate(row, `access_key_${n}_last_rotated`);
      if (!active && !lastRotated) continue;
      accessKeys.push({
        active,
        lastRotated,
        lastUsed: cellDate(row, `access_key_${n}_last_used_date`),
        lastUsedService: cell(row, `access_key_${n}_last_used_service`),
      });
    }
    out.set(row.user, {
      arn: cell(row, "arn"),
      passwordEnabled: row.password_enabled === "true",
      passwordLastUsed: cellDate(row, "password_last_used"),
      mfaActive: row.mfa_active === "true",
      accessKeys,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Human or not

/** The kinds an AWS principal can be tagged as, checked at compile time against the identities table's enum. */
export const TAGGABLE_KINDS = ["human", "service_account", "api_key", "workload_role", "bot", "ai_agent"] as const satisfies readonly IdentityKind[];
export type AwsPrincipalKind = (typeof TAGGABLE_KINDS)[number];

const KIND_TAGS = ["identity-kind", "gov:kind"];

/**
 * Classifies a principal for the identities table. An `identity-kind` (or
 * `gov:kind`) tag wins, because only the account owner knows that the user
 * with a key is a person using the CLI. Otherwise: roles are workloads, users
 * with an active access key are service accounts, other users are people.
 * Without a credential report keys are unknown; the user defaults to human and
 * the reason says why, for the caller to warn about.
 */
export function principalKind(p: AwsPrincipal, credentials?: CredentialInfo): { kind: AwsPrincipalKind; reason: string } {
  let invalidTag = "";
  for (const [key, value] of Object.entries(p.tags)) {
    if (!KIND_TAGS.includes(key.toLowerCase())) continue;
    const normalized = value
      .trim()
      .toLowerCase()
      .replace(/[-\s]+/g, "_");
    if ((TAGGABLE_KINDS as readonly string[]).includes(normalized)) return { kind: normalized as AwsPrincipalKind, reason: `tagged ${key}=${value}` };
    invalidTag = `tag ${key}=${value} is not one of ${TAGGABLE_KINDS.join(", ")}; `;
  }
  if (p.kind === "role") return { kind: "workload_role", reason: `${invalidTag}IAM role` };
  if (!credentials) return { kind: "human", reason: `${invalidTag}no credential report: keys unknown` };
  const active = credentials.accessKeys.filter((k) => k.active).length;
  if (active > 0) {
    const keys = active === 1 ? "an active access key" : `${active} active access keys`;
    const password = credentials.passwordEnabled ? " and a console password (a person using the CLI? tag identity-kind=human)" : "";
    return { kind: "service_account", reason: `${invalidTag}IAM user with ${keys}${password}` };
  }
  return {
    kind: "human",
    reason: `${invalidTag}IAM user without an active access key${credentials.passwordEnabled ? ", with a console password" : ""}`,
  };
}
