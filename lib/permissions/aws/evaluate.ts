// AWS's policy evaluation logic for one principal's identity-based access,
// with three answers (allowed, conditional, denied) and the statement behind
// each, so an analysis can say not only "yes" but "because of policy X,
// statement 2". Source: AWS IAM User Guide, "Policy evaluation logic" and
// "Determining whether a request is allowed or denied within an account":
// an explicit Deny anywhere wins; every level of service control policies
// must allow; a permissions boundary, when set, must allow; then an
// identity-based policy must allow. Resource-based policies are the caller's
// business (a role's trust policy is checked by the escalation analysis).
//
// Written here rather than with @cloud-copilot/iam-simulate: that package is
// AGPL-3.0, which this product cannot ship.

import type { PermissionStatement } from "@/db/schema";
import { actionMatches } from "@/lib/permissions/aws/catalogue";
import { and3, evaluateCondition, or3, unknownKeys, type Context, type Tri } from "./conditions";
import { globCovers, globMatches, globsIntersect } from "./match";

/** A policy as the analysis cites it: a name people recognise (ARN, or "inline X of Y") and its statements. */
export type PolicySource = { policy: string; statements: PermissionStatement[]; /** An AWS-managed policy AWS designates read-only. */ readOnly?: boolean };

/** Everything that decides what one principal may do. */
export type PrincipalPolicies = {
  arn: string;
  accountId: string;
  kind: "user" | "role";
  name: string;
  /** Identity-based policies: attached managed, inline, and those of its groups. */
  identity: PolicySource[];
  /** The permissions boundary, when one is set (null: none). */
  boundary: PolicySource | null;
  /** Service control policies by organisational level, root first; each level must allow. */
  scps: PolicySource[][];
};

/**
 * What a request asks. `resource` is an ARN, or an ARN pattern when the caller
 * chooses the resource (a function it is about to create may take any name the
 * pattern allows): then the request is allowed when some resource within the
 * pattern is.
 */
export type Request = { action: string; resource: string; chosen?: boolean; context: Context };

export type Citation = { policy: string; statement: number; sid?: string };
export type Verdict = {
  decision: "allowed" | "conditional" | "denied";
  /** The statements that allow it: one per level that had to allow (identity first). */
  allowedBy: Citation[];
  /** The Deny that blocks it (decision denied), or that may (decision conditional). */
  deniedBy?: Citation;
  /** Context keys the answer depends on (MFA, source IP…): what "conditional" waits for. */
  dependsOn: string[];
};

/** Policy variables (`${aws:username}`) take their value from the context; an unknown one may stand for anything. */
function substitute(pattern: string, ctx: Context): { pattern: string; exact: boolean } {
  if (!pattern.includes("${")) return { pattern, exact: true };
  let exact = true;
  const out = pattern.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    if (name === "*" || name === "?" || name === "$") return name;
    const v = ctx.values.get(name.toLowerCase());
    if (v && v.length === 1) return v[0];
    exact = false;
    return "*";
  });
  return { pattern: out, exact };
}

/** A statement narrowed to one action: its resource clause and its condition, already judged. */
type Applicable = { s: PermissionStatement; cite: Citation; condition: Tri; dependsOn: string[] };
/**
 * One principal's policies for one action and context, compiled once so that
 * asking about many resources (every role it might pass) costs only the
 * resource matching.
 */
export type CompiledAction = {
  action: string;
  context: Context;
  denies: Applicable[];
  levels: Applicable[][];
  unrestricted: boolean;
  /** Every statement that applies names every resource: the verdict is the same whatever the resource. */
  resourceIndependent: boolean;
};

function applicable(sources: PolicySource[], effect: "Allow" | "Deny", action: string, ctx: Context): Applicable[] {
  const out: Applicable[] = [];
  for (const src of sources) {
    src.statements.forEach((s, statement) => {
      if (s.effect !== effect) return;
      const matches = s.actions ? s.actions.some((p) => actionMatches(p, action)) : !(s.notActions ?? []).some((p) => actionMatches(p, action));
      if (!matches) return;
      const condition = evaluateCondition(s.condition, ctx);
      if (condition === "no") return;
      out.push({
        s,
        cite: { policy: src.policy, statement, ...(s.sid ? { sid: s.sid } : {}) },
        condition,
        dependsOn: condition === "maybe" ? unknownKeys(s.condition, ctx) : [],
      });
    });
  }
  return out;
}

const everyResource = (a: Applicable) => (!a.s.resources && !a.s.notResources && a.s.allResources) || (a.s.resources?.includes("*") ?? false);

export function compileAction(p: PrincipalPolicies, action: string, context: Context): CompiledAction {
  const denies = applicable([...p.identity, ...(p.boundary ? [p.boundary] : []), ...p.scps.flat()], "Deny", action, context);
  const levels = [
    applicable(p.identity, "Allow", action, context),
    ...(p.boundary ? [applicable([p.boundary], "Allow", action, context)] : []),
    ...p.scps.map((level) => applicable(level, "Allow", action, context)),
  ];
  // Every level allows it everywhere without condition, and nothing denies it: no resource needs matching.
  const unrestricted = denies.length === 0 && levels.every((l) => l.some((a) => a.condition === "yes" && everyResource(a)));
  const resourceIndependent = denies.every(everyResource) && levels.every((l) => l.every(everyResource));
  return { action, context, denies, levels, unrestricted, resourceIndependent };
}

function resourceTri(a: Applicable, resource: string, chosen: boolean, ctx: Context): Tri {
  const { s } = a;
  if (s.resources) {
    let out: Tri = "no";
    for (const raw of s.resources) {
      const { pattern, exact } = substitute(raw, ctx);
      // A chosen resource: an Allow applies if it allows some resource within the choice;
      // a Deny only blocks if it covers the whole choice (another name escapes it).
      const hit = !chosen ? globMatches(pattern, resource) : s.effect === "Allow" ? globsIntersect(pattern, resource) : globCovers(pattern, resource);
      if (hit) out = or3(out, exact ? "yes" : "maybe");
    }
    return out;
  }
  if (s.notResources) {
    // NotResource: applies to resources outside the list. For a chosen resource it applies unless the list covers the choice.
    const listed = s.notResources.some((r) => (chosen ? globCovers(substitute(r, ctx).pattern, resource) : globMatches(substitute(r, ctx).pattern, resource)));
    return listed ? "no" : "yes";
  }
  // Stored before statements kept their resources: "some specific resources", which ones unknown.
  return s.allResources ? "yes" : "maybe";
}

type Found = { tri: Tri; cite?: Citation; dependsOn: string[] };

function strongest(list: Applicable[], resource: string, chosen: boolean, ctx: Context): Found {
  let best: Found = { tri: "no", dependsOn: [] };
  for (const a of list) {
    const tri = and3(resourceTri(a, resource, chosen, ctx), a.condition);
    if (tri === "no") continue;
    if (tri === "yes") return { tri, cite: a.cite, dependsOn: [] };
    if (best.tri === "no") best = { tri, cite: a.cite, dependsOn: a.dependsOn };
  }
  return best;
}

/** The verdict of a compiled action on one resource (or, `chosen`, on some resource within a pattern). */
export function decide(c: CompiledAction, resource: string, chosen = false): Verdict {
  const deny = strongest(c.denies, resource, chosen, c.context);
  if (deny.tri === "yes") return { decision: "denied", allowedBy: [], deniedBy: deny.cite, dependsOn: [] };
  const required = c.levels.map((l) => strongest(l, resource, chosen, c.context));
  if (required.some((f) => f.tri === "no")) return { decision: "denied", allowedBy: [], dependsOn: [] };
  const tri = required.reduce((acc, f) => and3(acc, f.tri), not(deny.tri));
  return {
    decision: tri === "yes" ? "allowed" : "conditional",
    allowedBy: required.map((f) => f.cite!).filter(Boolean),
    ...(deny.tri === "maybe" ? { deniedBy: deny.cite } : {}),
    dependsOn: [...new Set([...required.flatMap((f) => f.dependsOn), ...deny.dependsOn])],
  };
}

/** Evaluates one request for one principal, as AWS would within its account. */
export function evaluate(p: PrincipalPolicies, req: Request): Verdict {
  return decide(compileAction(p, req.action, req.context), req.resource, req.chosen);
}

const not = (t: Tri): Tri => (t === "yes" ? "no" : t === "no" ? "yes" : "maybe");

/**
 * Whether the principal holds administrator access outright: an identity
 * statement allowing every action on every resource with no condition, that
 * no Deny, boundary or SCP narrows.
 */
export function holdsAllActions(p: PrincipalPolicies): Citation | null {
  let cite: Citation | null = null;
  for (const src of p.identity) {
    src.statements.forEach((s, statement) => {
      if (!cite && s.effect === "Allow" && s.actions?.includes("*") && (!s.resources || s.resources.includes("*")) && !s.notResources && !s.condition)
        cite = { policy: src.policy, statement, ...(s.sid ? { sid: s.sid } : {}) };
    });
  }
  if (!cite) return null;
  const everything = [...p.identity, ...(p.boundary ? [p.boundary] : []), ...p.scps.flat()];
  if (everything.some((src) => src.statements.some((s) => s.effect === "Deny"))) return null;
  const allowsAll = (srcs: PolicySource[]) =>
    srcs.some((src) =>
      src.statements.some((s) => s.effect === "Allow" && s.actions?.includes("*") && (!s.resources || s.resources.includes("*")) && !s.condition),
    );
  if (p.boundary && !allowsAll([p.boundary])) return null;
  if (p.scps.some((level) => !allowsAll(level))) return null;
  return cite;
}

/** The context every analysis of this principal knows: the time and who is asking. */
export function principalContext(p: Pick<PrincipalPolicies, "arn" | "accountId" | "kind" | "name">, now: Date, extra: Record<string, string[]> = {}): Context {
  const values = new Map<string, string[]>([
    ["aws:currenttime", [now.toISOString()]],
    ["aws:epochtime", [String(Math.floor(now.getTime() / 1000))]],
    ["aws:principalarn", [p.arn]],
    ["aws:principalaccount", [p.accountId]],
    ["aws:principaltype", [p.kind === "user" ? "User" : "AssumedRole"]],
  ]);
  if (p.kind === "user") values.set("aws:username", [p.name]);
  for (const [k, v] of Object.entries(extra)) values.set(k.toLowerCase(), v);
  return { values };
}
