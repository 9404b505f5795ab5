// Who can become what in AWS: every principal's ways of acting as another
// principal (or of giving itself any permission), from its effective
// permissions and the targets' trust policies; then, over those edges, who
// can reach administrator-equivalent access and by which shortest path.
//
// The graph's nodes are users and roles, a node "admin" (can give itself any
// permission), and group nodes standing for "every role in account A that
// service S may run as": a principal that may pass any role to Lambda gets
// one edge to that group rather than one per role, which keeps the graph
// linear in the account's size.

import { hash } from "node:crypto";
import type { PermissionStatement, PrivilegeLevel } from "@/db/schema";
import type { ActionCatalogue } from "@/lib/permissions/aws/catalogue";
import { changes, type AccessLevels } from "@/lib/permissions/aws/access-levels";
import { and3, evaluateCondition, unknownKeys, type Context, type Tri } from "@/lib/permissions/aws/conditions";
import {
  compileAction,
  decide,
  holdsAllActions,
  principalContext,
  type Citation,
  type CompiledAction,
  type PolicySource,
  type PrincipalPolicies,
  type Verdict,
} from "@/lib/permissions/aws/evaluate";
import { globMatches } from "@/lib/permissions/aws/match";
import { actionMatches } from "@/lib/permissions/aws/catalogue";
import { pathClasses, type PathClass, type Requirement } from "./catalogue";

export type ModelPrincipal = PrincipalPolicies & {
  /** The product's identity id. */
  id: string;
  groupArns: string[];
  /** Customer-managed policies attached to it or to its groups (the ones a CreatePolicyVersion could change). */
  customerPolicyArns: string[];
  /** Roles: the trust policy; null for users. */
  trust: PermissionStatement[] | null;
  instanceProfileArns: string[];
};
export type ModelGroup = { arn: string; accountId: string; policies: PolicySource[] };
export type Model = { principals: ModelPrincipal[]; groups: ModelGroup[]; now: Date };

/** One action a step needed, the resource it was needed on, and the statements that allow it. */
export type StepAction = { action: string; resource: string; allowedBy: Citation[]; decision: "allowed" | "conditional"; dependsOn: string[] };

/** An edge: what `from` does to reach `to` ("admin", a principal ARN, or a group key). */
export type Capability = {
  to: string;
  classId: string;
  title: string;
  actions: StepAction[];
  conditional: boolean;
  /** Context keys the step waits on (MFA, source IP, an external id). */
  dependsOn: string[];
  /** What must exist beyond IAM (a function running as the role…). */
  needs?: string;
};

export const ADMIN = "admin";
const groupKey = (kind: string, account: string, service?: string, instanceProfile?: boolean) =>
  `group:${kind}:${account}${service ? `:${service}` : ""}${instanceProfile ? ":instance-profile" : ""}`;

/** One step of a path, as people read it. */
export type Step = Capability & { from: string };

export type PrincipalVerdict = {
  id: string;
  arn: string;
  /** admin: holds or can reach administrator-equivalent access; privileged: can change something; standard: can only read. */
  level: PrivilegeLevel;
  holdsAdmin: Citation | null;
  reachesAdmin: boolean;
  /** The shortest way to admin; conditional when no unconditional one exists. */
  path: Step[];
  pathConditional: boolean;
  /** Roles it can act as, directly or through others (ARNs); the first `reachableKept` of them when the caller asked for fewer. */
  reachable: string[];
  /** How many roles it can act as (all of them, whatever `reachable` keeps). */
  reachableCount: number;
  /** A digest of the whole reachable set over the model's principals in order, to tell whether it changed. */
  reachableDigest: string;
};

// ---------------------------------------------------------------------------
// The account as targets: roles by trust, users, groups.

type Universe = {
  byArn: Map<string, ModelPrincipal>;
  rolesIn: Map<string, ModelPrincipal[]>;
  usersIn: Map<string, ModelPrincipal[]>;
  groupsByArn: Map<string, ModelGroup>;
  /** Group key → members, with how surely each trusts the service. */
  serviceGroups: Map<string, { arn: string; trust: Tri; dependsOn: string[] }[]>;
  trust: TrustIndex;
  now: Date;
};

/**
 * Which roles' trust policies could admit a principal, so a principal is
 * checked against those rather than every role: roles by each AWS principal
 * value their trust statements name exactly (an ARN, an account's root, an
 * account id), and the roles whose trust names a pattern ("*") or uses
 * NotPrincipal, which any principal may match. `plainAccount`: per account,
 * the roles whose only AWS principals are that account (its root or id), with
 * no condition, no Deny and no pattern: for a caller of that account its own
 * policies alone decide, so one group edge stands for all of them.
 */
type TrustIndex = {
  byValue: Map<string, number[]>;
  anyone: number[];
  roles: ModelPrincipal[];
  plainAccount: Map<string, { arn: string; ordinal: number; cite: Citation }[]>;
  plainSet: Set<number>;
};

const ASSUME = "sts:AssumeRole";

/** Whether a trust statement's principal list names this value (ARN, account, service). */
function principalListed(values: string[] | undefined, candidates: string[]): boolean {
  return !!values && values.some((v) => candidates.some((c) => globMatches(v, c)));
}

/**
 * Whether a role's trust policy lets `who` call sts:AssumeRole: by its exact
 * ARN ("exact": no identity permission is then needed within the account), by
 * its account's root or "*" ("account": the caller's own policies must allow
 * it too), or not at all.
 */
export function trustAdmits(
  role: ModelPrincipal,
  who: { arn: string; accountId: string; service?: string },
  ctx: Context,
): { how: "exact" | "account" | null; tri: Tri; dependsOn: string[]; cite?: Citation } {
  if (!role.trust) return { how: null, tri: "no", dependsOn: [] };
  const aws = who.service ? [] : [who.arn, `arn:aws:iam::${who.accountId}:root`, who.accountId];
  let best: { how: "exact" | "account" | null; tri: Tri; dependsOn: string[]; cite?: Citation } = { how: null, tri: "no", dependsOn: [] };
  let denied: Tri = "no";
  for (const [statement, s] of role.trust.entries()) {
    const covers = s.actions ? s.actions.some((p) => actionMatches(p, ASSUME)) : !(s.notActions ?? []).some((p) => actionMatches(p, ASSUME));
    if (!covers) continue;
    const listed = who.service
      ? principalListed(s.principals?.Service, [who.service]) || principalListed(s.principals?.AWS, ["*"])
      : principalListed(s.principals?.AWS, aws) || (!!s.notPrincipals && !principalListed(s.notPrincipals.AWS, aws));
    if (!listed) continue;
    const tri = evaluateCondition(s.condition, ctx);
    if (tri === "no") continue;
    if (s.effect === "Deny") {
      denied = denied === "yes" || tri === "yes" ? "yes" : "maybe";
      continue;
    }
    const how = !who.service && principalListed(s.principals?.AWS, [who.arn]) && !s.principals!.AWS.includes("*") ? "exact" : "account";
    if (best.tri !== "yes")
      best = {
        how,
        tri,
        dependsOn: tri === "maybe" ? unknownKeys(s.condition, ctx) : [],
        cite: { policy: `trust policy of ${role.arn}`, statement, ...(s.sid ? { sid: s.sid } : {}) },
      };
  }
  if (denied === "yes") return { how: null, tri: "no", dependsOn: [] };
  return denied === "maybe" ? { ...best, tri: and3(best.tri, "maybe") } : best;
}

function buildUniverse(model: Model): Universe {
  const byArn = new Map(model.principals.map((p) => [p.arn, p]));
  const rolesIn = new Map<string, ModelPrincipal[]>();
  const usersIn = new Map<string, ModelPrincipal[]>();
  for (const p of model.principals) {
    const map = p.kind === "role" ? rolesIn : usersIn;
    const list = map.get(p.accountId);
    if (list) list.push(p);
    else map.set(p.accountId, [p]);
  }
  const serviceGroups = new Map<string, { arn: string; trust: Tri; dependsOn: string[] }[]>();
  const services = new Set(pathClasses.flatMap((c) => (c.reach.kind === "role" && c.reach.trusts ? [c.reach.trusts] : [])));
  for (const [account, roles] of rolesIn) {
    for (const service of services) {
      // The service acts for a resource the attacker creates in this account.
      const ctx: Context = {
        values: new Map([
          ["aws:sourceaccount", [account]],
          ["aws:currenttime", [model.now.toISOString()]],
        ]),
      };
      const members = roles.flatMap((r) => {
        const t = trustAdmits(r, { arn: service, accountId: account, service }, ctx);
        return t.tri === "no" ? [] : [{ arn: r.arn, trust: t.tri, dependsOn: t.dependsOn, profile: r.instanceProfileArns.length > 0 }];
      });
      serviceGroups.set(groupKey("service", account, service), members);
      serviceGroups.set(
        groupKey("service", account, service, true),
        members.filter((m) => m.profile),
      );
    }
  }
  return { byArn, rolesIn, usersIn, groupsByArn: new Map(model.groups.map((g) => [g.arn, g])), serviceGroups, trust: trustIndex(rolesIn), now: model.now };
}

const covers = (s: PermissionStatement, action: string) =>
  s.actions ? s.actions.some((p) => actionMatches(p, action)) : !(s.notActions ?? []).some((p) => actionMatches(p, action));
const isPattern = (v: string) => v.includes("*") || v.includes("?");

function trustIndex(rolesIn: Map<string, ModelPrincipal[]>): TrustIndex {
  // Ordinals follow the order every role used to be checked in (by account, then as loaded), so edges keep their order.
  const roles = [...rolesIn.values()].flat();
  const byValue = new Map<string, number[]>();
  const anyone: number[] = [];
  const plainAccount = new Map<string, { arn: string; ordinal: number; cite: Citation }[]>();
  const plainSet = new Set<number>();
  roles.forEach((r, ordinal) => {
    const values = new Set<string>();
    let open = false;
    let plain = true;
    let cite: Citation | null = null;
    r.trust?.forEach((s, statement) => {
      if (!covers(s, ASSUME)) return;
      if (s.notPrincipals) open = true;
      const aws = s.principals?.AWS ?? [];
      for (const v of aws) {
        if (isPattern(v)) open = true;
        else values.add(v);
      }
      if (aws.length === 0) return;
      const ownAccount = aws.every((v) => v === r.accountId || v === `arn:aws:iam::${r.accountId}:root`);
      if (s.effect !== "Allow" || s.condition || s.notPrincipals || !ownAccount) plain = false;
      else cite ??= { policy: `trust policy of ${r.arn}`, statement, ...(s.sid ? { sid: s.sid } : {}) };
    });
    if (open) anyone.push(ordinal);
    for (const v of values) {
      const list = byValue.get(v);
      if (list) list.push(ordinal);
      else byValue.set(v, [ordinal]);
    }
    if (plain && !open && cite) {
      const list = plainAccount.get(r.accountId) ?? [];
      list.push({ arn: r.arn, ordinal, cite });
      plainAccount.set(r.accountId, list);
      plainSet.add(ordinal);
    }
  });
  return { byValue, anyone, roles, plainAccount, plainSet };
}

// ---------------------------------------------------------------------------
// Capabilities: the edges out of one principal.

const fill = (pattern: string, account: string) => pattern.replaceAll("{account}", account);

type Checked = { ok: boolean; step?: StepAction };

/** One requirement on one resource. */
function check(compiled: CompiledAction, resource: string, chosen: boolean): Checked {
  const v: Verdict = decide(compiled, resource, chosen);
  if (v.decision === "denied") return { ok: false };
  return { ok: true, step: { action: compiled.action, resource, allowedBy: v.allowedBy, decision: v.decision, dependsOn: v.dependsOn } };
}

class PrincipalAnalysis {
  private readonly compiled = new Map<string, CompiledAction>();
  constructor(
    readonly p: ModelPrincipal,
    private readonly u: Universe,
  ) {}

  ctx(extra: Record<string, string> = {}): Context {
    return principalContext(this.p, this.u.now, Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, [v]])));
  }

  action(action: string, context: Record<string, string> = {}): CompiledAction {
    const key = `${action}\u0000${JSON.stringify(context)}`;
    let c = this.compiled.get(key);
    if (!c) this.compiled.set(key, (c = compileAction(this.p, action, this.ctx(context))));
    return c;
  }

  /** A requirement that does not name the target. */
  untargeted(req: Requirement): Checked {
    const c = this.action(req.action, req.context);
    const on = req.on;
    if (on === "self") return check(c, this.p.arn, false);
    if (on === "own-group") return this.first(c, this.p.groupArns);
    if (on === "own-customer-policy") return this.first(c, this.p.customerPolicyArns);
    if (typeof on === "object" && "create" in on) return check(c, fill(on.create, this.p.accountId), true);
    if (typeof on === "object" && "existing" in on) return check(c, fill(on.existing, this.p.accountId), true);
    throw new Error(`untargeted requirement on ${JSON.stringify(on)}`);
  }

  private first(c: CompiledAction, resources: string[]): Checked {
    let conditional: Checked | null = null;
    for (const r of resources) {
      const got = check(c, r, false);
      if (got.ok && got.step!.decision === "allowed") return got;
      if (got.ok && !conditional) conditional = got;
    }
    return conditional ?? { ok: false };
  }

  /**
   * The alternatives of a class whose untargeted requirements all hold,
   * unconditional ones first; the targeted requirements are left to the
   * caller, which knows the targets.
   */
  alternatives(cls: PathClass): { steps: StepAction[]; targeted: Requirement[] }[] {
    const out: { steps: StepAction[]; targeted: Requirement[] }[] = [];
    for (const alt of cls.alternatives) {
      const steps: StepAction[] = [];
      const targeted: Requirement[] = [];
      let ok = true;
      for (const req of alt) {
        if (req.on === "target") {
          targeted.push(req);
          continue;
        }
        const got = this.untargeted(req);
        if (!got.ok) {
          ok = false;
          break;
        }
        steps.push(got.step!);
      }
      if (ok) out.push({ steps, targeted });
    }
    const unconditional = (a: { steps: StepAction[] }) => a.steps.every((s) => s.decision === "allowed");
    return [...out.filter(unconditional), ...out.filter((a) => !unconditional(a))];
  }
}

const edge = (to: string, cls: PathClass, actions: StepAction[], extra: { dependsOn?: string[]; needs?: string } = {}): Capability => {
  const dependsOn = [...new Set([...actions.flatMap((a) => a.dependsOn), ...(extra.dependsOn ?? [])])];
  const needs = extra.needs ?? cls.needs;
  return {
    to,
    classId: cls.id,
    title: cls.title,
    actions,
    conditional: actions.some((a) => a.decision === "conditional") || dependsOn.length > 0 || !!needs,
    dependsOn,
    ...(needs ? { needs } : {}),
  };
};

/**
 * Targets of a targeted action among `candidates` (ARNs, listed only when
 * needed): one group edge when the principal may act on every resource (the
 * common wildcard case), else one check per candidate its allows could match.
 */
function targets(
  a: PrincipalAnalysis,
  action: string,
  candidates: () => string[],
  context: Record<string, string> = {},
): { all: StepAction | null; each: Map<string, StepAction> } {
  const c = a.action(action, context);
  const each = new Map<string, StepAction>();
  // Allowed (or not) alike on every resource, conditions included: one verdict stands for all candidates.
  if (c.unrestricted || c.resourceIndependent) {
    const got = check(c, "*", true);
    return { all: got.step ?? null, each };
  }
  if (c.levels[0].length === 0) return { all: null, each };
  const mayMatch = allowTest(c);
  for (const arn of candidates()) {
    if (!mayMatch(arn)) continue;
    const got = check(c, arn, false);
    if (got.ok) each.set(arn, got.step!);
  }
  return { all: null, each };
}

/** The resource patterns of every statement that may allow a compiled action, or null when one allows without naming them plainly. */
function allowPatterns(c: CompiledAction): string[] | null {
  const out: string[] = [];
  for (const a of c.levels[0]) {
    if (!a.s.resources || a.s.resources.some((r) => r === "*" || r.includes("${"))) return null;
    out.push(...a.s.resources);
  }
  return out;
}

/**
 * A cheap test a resource must pass for the compiled action's own allows to
 * match it (and so for `check` to allow it): every resource passes when an
 * allow does not name its resources plainly.
 */
function allowTest(c: CompiledAction): (arn: string) => boolean {
  const patterns = allowPatterns(c);
  return patterns ? patternTest(patterns) : () => true;
}

/** A test that holds for every ARN `globMatches` matches to one of the patterns (and may hold for more). */
function patternTest(patterns: string[]): (arn: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const others: string[] = [];
  for (const pattern of patterns) {
    const star = pattern.indexOf("*");
    if (star < 0 && !pattern.includes("?")) exact.add(pattern);
    // A single trailing * within the resource part: a prefix (the ARN's first five parts are then spelled out).
    else if (star === pattern.length - 1 && !pattern.includes("?") && pattern.split(":").length >= 6) prefixes.push(pattern.slice(0, -1));
    else others.push(pattern);
  }
  return (arn) => exact.has(arn) || prefixes.some((x) => arn.startsWith(x)) || others.some((x) => globMatches(x, arn));
}

export function capabilitiesOf(p: ModelPrincipal, u: Universe): Capability[] {
  const a = new PrincipalAnalysis(p, u);
  const out: Capability[] = [];
  const roles = u.rolesIn.get(p.accountId) ?? [];
  const users = () => (u.usersIn.get(p.accountId) ?? []).filter((x) => x.arn !== p.arn).map((x) => x.arn);

  // Roles it may assume: by trust naming it, its account or anyone. Only the roles whose
  // trust could admit it are looked at (the trust index), in the order of all roles.
  const assumable = new Map<string, Capability>();
  const assumeCls = pathClasses.find((c) => c.id === "assume-role")!;
  const ctx = a.ctx();
  const assume = a.action(ASSUME);
  // Trust that names only its account needs the caller's own allow: none at all, no role of that kind.
  const mayAllow = assume.levels[0].length > 0;
  const named = new Set<number>([...(u.trust.byValue.get(p.arn) ?? []), ...u.trust.anyone]);
  const candidates = new Set<number>(named);
  if (mayAllow) {
    // Roles trusting its account need its own allow on them: when that allow names its resources,
    // only roles one of them matches can be assumed (a cheaper test than a full decision per role).
    const patterns = allowPatterns(assume);
    const matches = patterns ? patternTest(patterns) : null;
    for (const key of [`arn:aws:iam::${p.accountId}:root`, p.accountId])
      for (const o of u.trust.byValue.get(key) ?? []) if (!matches || matches(u.trust.roles[o].arn)) candidates.add(o);
  }
  // Allowed to assume any role unconditionally: one edge to the roles that trust its account plainly.
  const plainGroup = (assume.unrestricted || assume.resourceIndependent) && (u.trust.plainAccount.get(p.accountId)?.length ?? 0) > 0;
  const grouped: { arn: string; ordinal: number }[] = [];
  for (const ordinal of [...candidates].sort((x, y) => x - y)) {
    const r = u.trust.roles[ordinal];
    if (r.arn === p.arn) continue;
    if (plainGroup && u.trust.plainSet.has(ordinal) && !named.has(ordinal)) {
      grouped.push({ arn: r.arn, ordinal });
      continue;
    }
    // Trust that does not name it needs its own allow: checked first, as most callers may assume only a few roles.
    const allowed = named.has(ordinal) && r.accountId === p.accountId ? null : check(assume, r.arn, false);
    if (allowed && !allowed.ok) continue;
    const t = trustAdmits(r, p, ctx);
    if (t.tri === "no") continue;
    const trustStep: StepAction = {
      action: ASSUME,
      resource: r.arn,
      allowedBy: t.cite ? [t.cite] : [],
      decision: t.tri === "yes" ? "allowed" : "conditional",
      dependsOn: t.dependsOn,
    };
    let steps = [trustStep];
    if (t.how === "account" || r.accountId !== p.accountId) {
      // Trust names the account (or another account's principal): the caller's own policies must allow it.
      const got = allowed ?? check(assume, r.arn, false);
      if (!got.ok) continue;
      steps = [got.step!, trustStep];
    } else {
      // Trust names it by ARN: only an explicit Deny (or an SCP) stops it.
      const v = decide(assume, r.arn);
      if (v.decision === "denied" && (v.deniedBy || p.scps.length > 0)) continue;
    }
    const cap = edge(r.arn, assumeCls, steps);
    assumable.set(r.arn, cap);
    out.push(cap);
  }
  if (grouped.length > 0) {
    // The same verdict on every role: allowed, one edge to them all; denied, none of them is assumable.
    const got = check(assume, "*", true);
    if (got.ok) out.push(edge(groupKey("trusts-account", p.accountId), assumeCls, [got.step!]));
    else grouped.length = 0;
  }

  for (const cls of pathClasses) {
    if (cls.id === "assume-role") continue;
    const alts = a.alternatives(cls);
    if (alts.length === 0) continue;
    if (cls.reach.kind === "admin") {
      if (alts[0].targeted.length === 0) out.push(edge(ADMIN, cls, alts[0].steps));
      continue;
    }
    // One edge per target, from the first alternative that reaches it (unconditional ones come first).
    const reached = new Set<string>();
    const add = (to: string, actions: StepAction[], to_admin = false) => {
      const key = to_admin ? `${ADMIN}\u0000${to}` : to;
      if (reached.has(key)) return;
      reached.add(key);
      out.push(edge(to_admin ? ADMIN : to, cls, actions));
    };
    for (const { steps, targeted } of alts) {
      if (cls.reach.kind === "user") {
        for (const req of targeted) {
          const hits = targets(a, req.action, users, req.context);
          if (hits.all) add(groupKey("users", p.accountId), [...steps, hits.all]);
          for (const [arn, step] of hits.each) add(arn, [...steps, step]);
        }
        continue;
      }
      const reach = cls.reach;
      if (cls.id === "modify-role-then-assume") {
        // Gives a role it can already assume an administrator policy: that is administrator access.
        // The roles behind the account-trust group count one by one here, with the steps they would have alone.
        const writes = targeted.map((req) => a.action(req.action, req.context));
        // No allow of its own could match: nothing to rewrite (the common case, checked before listing thousands of roles).
        // And once it has a way to admin that holds without conditions, another one is never kept (withoutRedundantAdminEdges).
        if (writes.every((c) => c.levels[0].length === 0) || out.some((c) => c.to === ADMIN && isStrict(c))) continue;
        const all = [...assumable].map(([arn, cap]) => ({ arn, actions: () => cap.actions }));
        for (const g of grouped) {
          all.push({
            arn: g.arn,
            actions: () => {
              const cite = u.trust.plainAccount.get(p.accountId)!.find((x) => x.ordinal === g.ordinal)!.cite;
              return [check(assume, g.arn, false).step!, { action: ASSUME, resource: g.arn, allowedBy: [cite], decision: "allowed", dependsOn: [] }];
            },
          });
        }
        rewrites: for (const c of writes) {
          const mayMatch = allowTest(c);
          for (const { arn, actions } of all) {
            if (!mayMatch(arn)) continue;
            const got = check(c, arn, false);
            if (!got.ok) continue;
            const before = out.length;
            add(arn, [...steps, got.step!, ...actions()], true);
            if (out.length > before && isStrict(out[before])) break rewrites;
          }
        }
        continue;
      }
      if (targeted.length > 0) {
        // update-assume-role-policy: any role of its account whose trust it may rewrite.
        for (const req of targeted) {
          const hits = targets(a, req.action, () => roles.filter((r) => r.arn !== p.arn).map((r) => r.arn), req.context);
          if (hits.all) add(groupKey("roles", p.accountId), [...steps, hits.all]);
          for (const [arn, step] of hits.each) add(arn, [...steps, step]);
        }
        continue;
      }
      if (reach.trusts) {
        const key = groupKey("service", p.accountId, reach.trusts, reach.instanceProfile);
        const members = u.serviceGroups.get(key) ?? [];
        if (members.length === 0) continue;
        if (!cls.passRole) {
          // Existing compute: whichever role such compute runs as.
          add(key, steps);
          continue;
        }
        const hits = targets(a, "iam:PassRole", () => members.map((m) => m.arn), { "iam:PassedToService": cls.passRole });
        if (hits.all) add(key, [...steps, hits.all]);
        for (const [arn, step] of hits.each) add(arn, [...steps, step]);
      }
    }
  }

  // add-user-to-group: joining a group whose policies make it an administrator.
  if (p.kind === "user") {
    const join = a.action("iam:AddUserToGroup");
    if (join.levels[0].length > 0) {
      for (const g of u.groupsByArn.values()) {
        if (g.accountId !== p.accountId || p.groupArns.includes(g.arn)) continue;
        const got = check(join, g.arn, false);
        if (!got.ok) continue;
        const joined: ModelPrincipal = { ...p, identity: [...p.identity, ...g.policies], groupArns: [...p.groupArns, g.arn] };
        const admin = holdsAllActions(joined);
        const self = admin ? null : new PrincipalAnalysis(joined, u);
        const selfEdge = self
          ? pathClasses
              .filter((c) => c.category === "self-escalation" && c.reach.kind === "admin")
              .map((c) => ({ c, alt: self.alternatives(c)[0] }))
              .find((x) => x.alt && x.alt.targeted.length === 0)
          : null;
        if (admin || selfEdge) {
          out.push({
            to: ADMIN,
            classId: "add-user-to-group",
            title: `adds itself to ${g.arn.split("/").pop()}, whose policies ${admin ? "allow everything" : selfEdge!.c.title.replace("itself", "the user")}`,
            actions: [
              got.step!,
              ...(admin ? [{ action: "*", resource: "*", allowedBy: [admin], decision: "allowed" as const, dependsOn: [] }] : selfEdge!.alt.steps),
            ],
            conditional: got.step!.decision === "conditional",
            dependsOn: got.step!.dependsOn,
          });
        }
      }
    }
  }
  return withoutRedundantAdminEdges(out);
}

/**
 * Of several edges straight to admin (a principal that may rewrite any of the
 * 2,000 roles it can assume has one per role), the paths only ever take the
 * first, and the first that holds without conditions: the others are dropped.
 */
function withoutRedundantAdminEdges(out: Capability[]): Capability[] {
  let first = false;
  let firstStrict = false;
  return out.filter((c) => {
    if (c.to !== ADMIN) return true;
    const strict = isStrict(c);
    const keep = !first || (strict && !firstStrict);
    first = true;
    if (strict) firstStrict = true;
    return keep;
  });
}

// ---------------------------------------------------------------------------
// Privilege of a principal's own access (without reach).

/** What its own policies let it do at most: change something (privileged) or only read (standard); admin is decided by the graph. */
export function ownLevel(p: ModelPrincipal, catalogue: ActionCatalogue, levels: AccessLevels, now: Date): "privileged" | "standard" {
  const ctx = principalContext(p, now);
  const tried = new Set<string>();
  for (const src of p.identity) {
    if (src.readOnly) continue;
    for (const s of src.statements) {
      if (s.effect !== "Allow") continue;
      const candidates = s.actions
        ? s.actions.flatMap((pattern) => catalogue.expand(pattern))
        : catalogue.actions.filter((x) => !(s.notActions ?? []).some((pattern) => actionMatches(pattern, x)));
      let budget = 25;
      for (const action of candidates) {
        if (!changes(levels.get(action.toLowerCase())) || tried.has(action)) continue;
        tried.add(action);
        if (decide(compileAction(p, action, ctx), "*", true).decision !== "denied") return "privileged";
        if (--budget === 0) break;
      }
    }
  }
  return "standard";
}

// ---------------------------------------------------------------------------
// The graph.

export type Analysis = { verdicts: PrincipalVerdict[]; capabilities: Map<string, Capability[]>; openTrust: OpenTrust[] };
export type OpenTrust = { roleArn: string; roleId: string; statement: number; sid?: string; conditions: string[] };

/**
 * Analyses every principal. `cached` carries the capabilities of principals
 * whose inputs did not change since the last run (by ARN), so a re-import that
 * changed one policy recomputes only the principals holding it.
 */
export function analyze(
  model: Model,
  deps: {
    catalogue: ActionCatalogue;
    levels: AccessLevels;
    /** For principals whose inputs did not change (their policies then need not be loaded): their edges, own level and whether they hold admin. */
    cached?: ReadonlyMap<string, Capability[]>;
    ownLevels?: ReadonlyMap<string, "privileged" | "standard">;
    holds?: ReadonlyMap<string, Citation | null>;
    /** At most this many reachable ARNs per verdict (a large account's admins reach thousands); all by default. */
    reachableKept?: number;
    /** Filled with milliseconds spent on edges ("edges") and on the graph ("graph"). */
    phases?: Record<string, number>;
  },
): Analysis & { ownLevels: Map<string, "privileged" | "standard"> } {
  const started = performance.now();
  const u = buildUniverse(model);
  const capabilities = new Map<string, Capability[]>();
  const own = new Map<string, "privileged" | "standard">();
  for (const p of model.principals) {
    capabilities.set(p.arn, deps.cached?.get(p.arn) ?? capabilitiesOf(p, u));
    own.set(p.arn, deps.ownLevels?.get(p.arn) ?? ownLevel(p, deps.catalogue, deps.levels, model.now));
  }

  const edgesDone = performance.now();
  if (deps.phases) deps.phases.edges = Math.round(edgesDone - started);
  // Node ids: principals, then groups, then admin.
  const nodes: string[] = model.principals.map((p) => p.arn);
  const index = new Map(nodes.map((n, i) => [n, i]));
  const nodeOf = (key: string) => {
    let i = index.get(key);
    if (i === undefined) {
      i = nodes.length;
      nodes.push(key);
      index.set(key, i);
    }
    return i;
  };
  const adminNode = nodeOf(ADMIN);
  type E = { to: number; cap: Capability; from: string };
  const out: E[][] = [];
  const addEdge = (from: number, e: E) => {
    (out[from] ??= []).push(e);
  };
  // Administrators outright: their edge to admin comes first, so a path names what they hold
  // rather than one of the ways it lets them change themselves.
  const holds = new Map<string, Citation | null>();
  for (const p of model.principals) {
    const cite = deps.holds?.has(p.arn) ? deps.holds.get(p.arn)! : holdsAllActions(p);
    holds.set(p.arn, cite);
    if (cite)
      addEdge(index.get(p.arn)!, {
        to: adminNode,
        from: p.arn,
        cap: {
          to: ADMIN,
          classId: "holds-admin",
          title: "holds administrator access",
          actions: [{ action: "*", resource: "*", allowedBy: [cite], decision: "allowed", dependsOn: [] }],
          conditional: false,
          dependsOn: [],
        },
      });
  }

  for (const p of model.principals) {
    const from = index.get(p.arn)!;
    for (const cap of capabilities.get(p.arn)!) {
      if (cap.to !== ADMIN && !cap.to.startsWith("group:") && !u.byArn.has(cap.to)) continue; // a target gone since
      addEdge(from, { to: nodeOf(cap.to), cap, from: p.arn });
    }
  }
  // Group nodes lead to their members.
  const groupMembers = (key: string): { arn: string; trust: Tri; dependsOn: string[]; actions?: StepAction[] }[] => {
    if (key.startsWith("group:service:")) return u.serviceGroups.get(key) ?? [];
    if (key.startsWith("group:trusts-account:")) {
      // Roles whose trust names the account: the trust statement is the member's step.
      return (u.trust.plainAccount.get(key.split(":")[2]) ?? []).map((m) => ({
        arn: m.arn,
        trust: "yes",
        dependsOn: [],
        actions: [{ action: ASSUME, resource: m.arn, allowedBy: [m.cite], decision: "allowed" as const, dependsOn: [] }],
      }));
    }
    const [, kind, account] = key.split(":");
    const list = kind === "users" ? (u.usersIn.get(account) ?? []) : kind === "roles" ? (u.rolesIn.get(account) ?? []) : [];
    return list.map((x) => ({ arn: x.arn, trust: "yes", dependsOn: [] }));
  };
  for (const [key, i] of [...index]) {
    if (!key.startsWith("group:")) continue;
    for (const m of groupMembers(key)) {
      const to = index.get(m.arn);
      if (to === undefined) continue;
      addEdge(i, {
        to,
        from: key,
        cap: { to: m.arn, classId: "member", title: `acts as ${m.arn}`, actions: m.actions ?? [], conditional: m.trust !== "yes", dependsOn: m.dependsOn },
      });
    }
  }
  // Reverse breadth-first search from admin: next hop towards admin for every node,
  // first over unconditional edges, then over all of them.
  const incoming: E[][] = [];
  out.forEach((list, from) => list?.forEach((e) => (incoming[e.to] ??= []).push({ ...e, to: from })));
  const accountGroups = new Uint8Array(nodes.length);
  for (const [key, i] of index) if (key.startsWith("group:trusts-account:")) accountGroups[i] = 1;
  const towardsAdmin = (unconditionalOnly: boolean) => {
    const next = new Array<E | null>(nodes.length).fill(null);
    const seen = new Uint8Array(nodes.length);
    seen[adminNode] = 1;
    const queue = [adminNode];
    const visit = (n: number) => {
      for (const e of incoming[n] ?? []) {
        if (seen[e.to] || (unconditionalOnly && e.cap.conditional && !onlyNeeds(e.cap))) continue;
        seen[e.to] = 1;
        next[e.to] = { ...e, to: n };
        // The account-trust group stands for direct edges to its members: no hop of its own,
        // so who enters it is as far from admin as an edge straight to the member would make it.
        if (accountGroups[e.to]) visit(e.to);
        else queue.push(e.to);
      }
    };
    for (let q = 0; q < queue.length; q++) visit(queue[q]);
    return next;
  };
  const strict = towardsAdmin(true);
  const loose = towardsAdmin(false);

  // Reach: every principal node each node can act as (SCCs, then a DAG pass with bitsets).
  const reach = reachSets(nodes.length, out, model.principals.length);
  const words = Math.ceil(model.principals.length / 32);
  const roleMask = new Uint32Array(words);
  const privilegedMask = new Uint32Array(words);
  model.principals.forEach((p, j) => {
    if (p.kind !== "role") return;
    roleMask[j >>> 5] |= 1 << (j & 31);
    if (own.get(p.arn) === "privileged") privilegedMask[j >>> 5] |= 1 << (j & 31);
  });
  const kept = deps.reachableKept ?? Infinity;
  const roles = new Uint32Array(words);

  const verdicts: PrincipalVerdict[] = model.principals.map((p, i) => {
    const viaStrict = strict[i] !== null;
    const next = viaStrict ? strict : loose;
    const path: Step[] = [];
    for (let n = i, guard = 0; next[n] && guard < nodes.length; guard++) {
      const e = next[n]!;
      path.push({ ...e.cap, from: e.from });
      n = e.to;
      if (n === adminNode) break;
    }
    const reachesAdmin = path.length > 0;
    // The roles it reaches, itself left out, as a bitset over the principals.
    const set = reach(i);
    let reachableCount = 0;
    let viaPrivileged = false;
    for (let w = 0; w < words; w++) {
      let x = set[w] & roleMask[w];
      if (w === i >>> 5) x &= ~(1 << (i & 31));
      roles[w] = x;
      if (x & privilegedMask[w]) viaPrivileged = true;
      for (; x; x &= x - 1) reachableCount++;
    }
    const reachable: string[] = [];
    for (let w = 0; w < words && reachable.length < kept; w++) {
      for (let x = roles[w]; x && reachable.length < kept; x &= x - 1) reachable.push(model.principals[w * 32 + 31 - Math.clz32(x & -x)].arn);
    }
    const reachableDigest = hash("sha256", roles, "hex");
    const ownLvl = own.get(p.arn)!;
    const level: PrivilegeLevel = reachesAdmin && viaStrict ? "admin" : ownLvl === "privileged" || viaPrivileged || reachesAdmin ? "privileged" : "standard";
    return {
      id: p.id,
      arn: p.arn,
      level,
      holdsAdmin: holds.get(p.arn) ?? null,
      reachesAdmin,
      path: mergeGroups(path),
      pathConditional: reachesAdmin && !viaStrict,
      reachable,
      reachableCount,
      reachableDigest,
    };
  });

  const openTrust = openTrustPolicies(model);
  if (deps.phases) deps.phases.graph = Math.round(performance.now() - edgesDone);
  return { verdicts, capabilities, ownLevels: own, openTrust };
}

/** An edge a path may take without conditions (see towardsAdmin). */
const isStrict = (c: Capability) => !c.conditional || onlyNeeds(c);

/** Conditional only because compute must exist: still counts as a way to admin (the step says what must exist). */
const onlyNeeds = (cap: Capability) => cap.dependsOn.length === 0 && !!cap.needs && cap.actions.every((a) => a.decision === "allowed");

/** A hop into a group and out to one member reads as one step: "passes role R to Lambda". */
function mergeGroups(path: Step[]): Step[] {
  const out: Step[] = [];
  for (let i = 0; i < path.length; i++) {
    const s = path[i];
    const next = path[i + 1];
    if (s.to.startsWith("group:") && next?.classId === "member") {
      out.push({
        ...s,
        to: next.to,
        actions: [...s.actions, ...next.actions],
        conditional: s.conditional || next.conditional,
        dependsOn: [...new Set([...s.dependsOn, ...next.dependsOn])],
      });
      i++;
    } else out.push(s);
  }
  return out;
}

/**
 * For each principal node, the principal nodes reachable from it. Strongly
 * connected components first (Tarjan, iterative), then one pass over their DAG
 * in reverse topological order with a bitset per component.
 */
function reachSets(n: number, out: { to: number }[][], principals: number): (i: number) => Uint32Array {
  const comp = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const num = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  let counter = 0;
  let comps = 0;
  const order: number[] = []; // components in the order Tarjan closes them: reverse topological
  for (let root = 0; root < n; root++) {
    if (num[root] !== -1) continue;
    const work: [number, number][] = [[root, 0]];
    num[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length) {
      const top = work[work.length - 1];
      const [v, k] = top;
      const edges = out[v] ?? [];
      if (k < edges.length) {
        top[1]++;
        const w = edges[k].to;
        if (num[w] === -1) {
          num[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v], num[w]);
      } else {
        work.pop();
        if (work.length) low[work[work.length - 1][0]] = Math.min(low[work[work.length - 1][0]], low[v]);
        if (low[v] === num[v]) {
          let w: number;
          do {
            w = stack.pop()!;
            onStack[w] = 0;
            comp[w] = comps;
          } while (w !== v);
          order.push(comps++);
        }
      }
    }
  }
  const words = Math.ceil(principals / 32);
  const bits = new Array<Uint32Array>(comps);
  const members: number[][] = Array.from({ length: comps }, () => []);
  for (let v = 0; v < n; v++) members[comp[v]].push(v);
  // Which component last took a successor's set: many edges lead into one component (a team's roles), merged once.
  const mergedInto = new Int32Array(comps).fill(-1);
  for (const c of order) {
    const set = new Uint32Array(words);
    for (const v of members[c]) {
      if (v < principals) set[v >>> 5] |= 1 << (v & 31);
      for (const e of out[v] ?? []) {
        const d = comp[e.to];
        if (d !== c && mergedInto[d] !== c) {
          mergedInto[d] = c;
          const other = bits[d];
          for (let w = 0; w < words; w++) set[w] |= other[w];
        }
      }
    }
    bits[c] = set;
  }
  return (i) => bits[comp[i]];
}

/** Trust statements that let any AWS principal anywhere assume the role, with the conditions that remain. */
export function openTrustPolicies(model: Model): OpenTrust[] {
  const out: OpenTrust[] = [];
  for (const r of model.principals) {
    r.trust?.forEach((s, statement) => {
      if (s.effect !== "Allow") return;
      const anyone = s.principals?.AWS?.includes("*") || (!!s.notPrincipals && !s.principals);
      if (!anyone) return;
      const covers = s.actions ? s.actions.some((p) => actionMatches(p, ASSUME)) : !(s.notActions ?? []).some((p) => actionMatches(p, ASSUME));
      if (!covers) return;
      const keys = Object.values(s.condition ?? {}).flatMap((k) => Object.keys(k));
      // Restricted to the organisation or named accounts: not open to the world.
      if (keys.some((k) => /^aws:(PrincipalOrgID|PrincipalOrgPaths|PrincipalAccount|PrincipalArn|SourceAccount|SourceOrgID)$/i.test(k))) return;
      out.push({ roleArn: r.arn, roleId: r.id, statement, ...(s.sid ? { sid: s.sid } : {}), conditions: keys });
    });
  }
  return out;
}
