// Builds escalation-analysis models from IAM JSON as AWS writes it, through
// the same parser the import uses, so tests read like the accounts they stand for.

import { normalizePolicyDocument } from "@/lib/permissions/aws/catalogue";
import type { PolicySource } from "@/lib/permissions/aws/evaluate";
import type { Model, ModelGroup, ModelPrincipal } from "./analyze";

export const ACCOUNT = "111111111111";
export const OTHER_ACCOUNT = "222222222222";

type Doc = Record<string, unknown>;
/** A policy document with these statements. */
export const doc = (...statements: Doc[]): Doc => ({ Version: "2012-10-17", Statement: statements });
export const allow = (action: string | string[], resource: string | string[] = "*", extra: Doc = {}): Doc => ({
  Effect: "Allow",
  Action: action,
  Resource: resource,
  ...extra,
});
export const deny = (action: string | string[], resource: string | string[] = "*", extra: Doc = {}): Doc => ({
  Effect: "Deny",
  Action: action,
  Resource: resource,
  ...extra,
});
/** A trust policy admitting these principals to sts:AssumeRole. */
export const trusting = (principal: Doc | "*", extra: Doc = {}): Doc => doc({ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole", ...extra });

export const ADMIN_POLICY = doc(allow("*"));

let seq = 0;
const source = (policy: string, d: Doc, readOnly = false): PolicySource => ({
  policy,
  statements: normalizePolicyDocument(d, policy),
  ...(readOnly ? { readOnly } : {}),
});

type Spec = {
  account?: string;
  policies?: Doc[];
  /** AWS-managed policies by name (their documents given). */
  managed?: Record<string, Doc>;
  boundary?: Doc;
  scps?: Doc[][];
  groups?: string[];
  customerPolicies?: string[];
  trust?: Doc;
  instanceProfile?: boolean;
  readOnly?: boolean;
};

function principal(kind: "user" | "role", name: string, spec: Spec): ModelPrincipal {
  const account = spec.account ?? ACCOUNT;
  const arn = `arn:aws:iam::${account}:${kind}/${name}`;
  return {
    id: `00000000-0000-4000-8000-${String(++seq).padStart(12, "0")}`,
    arn,
    accountId: account,
    kind,
    name,
    identity: [
      ...(spec.policies ?? []).map((d, i) => source(`${name}-policy-${i}`, d, spec.readOnly)),
      ...Object.entries(spec.managed ?? {}).map(([n, d]) => source(`arn:aws:iam::aws:policy/${n}`, d, spec.readOnly)),
    ],
    boundary: spec.boundary ? source(`${name}-boundary`, spec.boundary) : null,
    scps: (spec.scps ?? []).map((level, l) => level.map((d, i) => source(`scp-${l}-${i}`, d))),
    groupArns: (spec.groups ?? []).map((g) => `arn:aws:iam::${account}:group/${g}`),
    customerPolicyArns: (spec.customerPolicies ?? []).map((p) => `arn:aws:iam::${account}:policy/${p}`),
    trust: spec.trust ? normalizePolicyDocument(spec.trust, `trust of ${name}`) : kind === "role" ? [] : null,
    instanceProfileArns: spec.instanceProfile ? [`arn:aws:iam::${account}:instance-profile/${name}`] : [],
  };
}

export const user = (name: string, spec: Spec = {}) => principal("user", name, spec);
export const role = (name: string, spec: Spec = {}) => principal("role", name, spec);
export const group = (name: string, policies: Doc[], account = ACCOUNT): ModelGroup => ({
  arn: `arn:aws:iam::${account}:group/${name}`,
  accountId: account,
  policies: policies.map((d, i) => source(`${name}-group-policy-${i}`, d)),
});

export const model = (principals: ModelPrincipal[], groups: ModelGroup[] = [], now = new Date("2026-12-02T12:00:00Z")): Model => ({ principals, groups, now });
