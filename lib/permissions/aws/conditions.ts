// IAM Condition evaluation with three answers: "yes" (the condition holds for
// this request), "no" (it provably cannot), "maybe" (it depends on something
// the analysis does not know, such as MFA, source IP or a resource tag).
//
// An analysis knows only some context keys: the time, who the principal is,
// and the keys a path class supplies (iam:PassedToService, iam:PolicyARN).
// Every other key is unknown, so a condition on it is "maybe": an Allow under
// it is conditional, never absolute, and a Deny under it may or may not block.
// Operators and their semantics follow AWS's IAM JSON policy reference
// ("Condition operators", "IfExists", "ForAllValues/ForAnyValue").

import type { ConditionBlock } from "@/db/schema";
import { globMatches } from "./match";

export type Tri = "yes" | "no" | "maybe";
/** Known context keys (lower-case) → values; a key absent from the map is unknown unless listed in `absent`. */
export type Context = { values: ReadonlyMap<string, string[]>; absent?: ReadonlySet<string> };

export const and3 = (a: Tri, b: Tri): Tri => (a === "no" || b === "no" ? "no" : a === "maybe" || b === "maybe" ? "maybe" : "yes");
export const or3 = (a: Tri, b: Tri): Tri => (a === "yes" || b === "yes" ? "yes" : a === "maybe" || b === "maybe" ? "maybe" : "no");
const not3 = (a: Tri): Tri => (a === "yes" ? "no" : a === "no" ? "yes" : "maybe");

type Compare = (policyValue: string, requestValue: string) => boolean | null;

const date = (v: string) => {
  const n = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v);
  return Number.isNaN(n) ? null : n;
};
const num = (v: string) => (v.trim() === "" || Number.isNaN(Number(v)) ? null : Number(v));
const cmp =
  (parse: (v: string) => number | null, test: (p: number, r: number) => boolean): Compare =>
  (p, r) => {
    const a = parse(p);
    const b = parse(r);
    return a === null || b === null ? null : test(b, a);
  };

function ipInCidr(cidr: string, ip: string): boolean | null {
  const [range, bitsRaw] = cidr.split("/");
  const toInt = (s: string) => {
    const parts = s.split(".").map(Number);
    return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255)
      ? ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3]
      : null;
  };
  const a = toInt(range);
  const b = toInt(ip);
  if (a === null || b === null) return null; // IPv6: not evaluated here
  const bits = bitsRaw === undefined ? 32 : Number(bitsRaw);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

/** Positive operators: the request value must match one of the policy's values. */
const POSITIVE: Record<string, Compare> = {
  stringequals: (p, r) => p === r,
  stringequalsignorecase: (p, r) => p.toLowerCase() === r.toLowerCase(),
  stringlike: (p, r) => globMatches(p, r),
  arnequals: (p, r) => globMatches(p, r),
  arnlike: (p, r) => globMatches(p, r),
  numericequals: cmp(num, (r, p) => r === p),
  numericlessthan: cmp(num, (r, p) => r < p),
  numericlessthanequals: cmp(num, (r, p) => r <= p),
  numericgreaterthan: cmp(num, (r, p) => r > p),
  numericgreaterthanequals: cmp(num, (r, p) => r >= p),
  dateequals: cmp(date, (r, p) => r === p),
  datelessthan: cmp(date, (r, p) => r < p),
  datelessthanequals: cmp(date, (r, p) => r <= p),
  dategreaterthan: cmp(date, (r, p) => r > p),
  dategreaterthanequals: cmp(date, (r, p) => r >= p),
  bool: (p, r) => p.toLowerCase() === r.toLowerCase(),
  binaryequals: (p, r) => p === r,
  ipaddress: (p, r) => ipInCidr(p, r),
};
/** Negated operators: true when the request value matches none of the policy's values. */
const NEGATED: Record<string, string> = {
  stringnotequals: "stringequals",
  stringnotequalsignorecase: "stringequalsignorecase",
  stringnotlike: "stringlike",
  arnnotequals: "arnequals",
  arnnotlike: "arnlike",
  numericnotequals: "numericequals",
  datenotequals: "dateequals",
  notipaddress: "ipaddress",
};

/** One value against the policy's values: any match (OR). */
function matchesAny(compare: Compare, policyValues: string[], requestValue: string): Tri {
  let out: Tri = "no";
  for (const p of policyValues) {
    const hit = compare(p, requestValue);
    if (hit === true) return "yes";
    if (hit === null) out = "maybe";
  }
  return out;
}

/** One operator on one key. */
function evaluateKey(operatorRaw: string, key: string, policyValues: string[], ctx: Context): Tri {
  let operator = operatorRaw.toLowerCase();
  let set: "all" | "any" | null = null;
  if (operator.startsWith("forallvalues:")) [set, operator] = ["all", operator.slice(13)];
  else if (operator.startsWith("foranyvalue:")) [set, operator] = ["any", operator.slice(12)];
  const ifExists = operator.endsWith("ifexists");
  if (ifExists) operator = operator.slice(0, -8);
  const k = key.toLowerCase();
  const values = ctx.values.get(k);
  const known = values !== undefined || ctx.absent?.has(k) === true;

  if (operator === "null") {
    if (!known) return "maybe";
    const isNull = values === undefined || values.length === 0;
    return policyValues.some((v) => (v.toLowerCase() === "true") === isNull) ? "yes" : "no";
  }
  const negatedOf = NEGATED[operator];
  const compare = POSITIVE[negatedOf ?? operator];
  if (!compare) return "maybe"; // an operator this analysis does not evaluate: it may hold or not
  if (!known) return "maybe";
  if (values === undefined || values.length === 0) {
    // Absent key: IfExists and ForAllValues hold; positive operators fail; negated ones hold (AWS: "matches" nothing to negate).
    if (ifExists || set === "all") return "yes";
    return negatedOf ? "yes" : "no";
  }
  const one = (v: string): Tri => (negatedOf ? not3(matchesAny(compare, policyValues, v)) : matchesAny(compare, policyValues, v));
  if (set === "all") return values.map(one).reduce(and3, "yes");
  return values.map(one).reduce(or3, "no");
}

/** A whole Condition block: every operator and every key must hold (AND). */
export function evaluateCondition(block: ConditionBlock | undefined, ctx: Context): Tri {
  if (!block) return "yes";
  let out: Tri = "yes";
  for (const [operator, keys] of Object.entries(block)) {
    for (const [key, values] of Object.entries(keys)) {
      out = and3(out, evaluateKey(operator, key, values, ctx));
      if (out === "no") return "no";
    }
  }
  return out;
}

/** The keys a condition block reads that the context does not know, to say what an answer depends on. */
export function unknownKeys(block: ConditionBlock | undefined, ctx: Context): string[] {
  if (!block) return [];
  const out = new Set<string>();
  for (const keys of Object.values(block))
    for (const key of Object.keys(keys)) if (!ctx.values.has(key.toLowerCase()) && !ctx.absent?.has(key.toLowerCase())) out.add(key);
  return [...out];
}
