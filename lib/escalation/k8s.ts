import { privilegeLevels, type PermissionStatement, type PrivilegeLevel } from "@/db/schema";
import type { Citation } from "@/lib/permissions/aws/evaluate";
import { k8sActionLevel, k8sActionMatches } from "@/lib/permissions/k8s/model";
import { serviceAccountUser } from "@/lib/permissions/k8s/users";
import { ADMIN, type Capability, type Step, type StepAction } from "./analyze";
import { k8sPathClasses, type K8sPathClass, type K8sRequirement } from "./k8s-catalogue";

/*
 * Escalation in one Kubernetes cluster. Nodes are the cluster's principals (its
 * service accounts, and the people bound to its roles); a class of
 * k8s-catalogue.ts whose requirements a principal's rules allow is an edge to
 * administrator access, to the service accounts of a namespace, or to every
 * service account of the cluster. A principal's verdict is, as for AWS, whether
 * it holds or can reach administrator access, the shortest path (one without
 * anything beyond RBAC when there is one), and the service accounts it can act as.
 */

/** One entitlement a principal holds: its name (cited by steps) and its statements (namespaced actions). */
export type K8sHolding = { policy: string; statements: PermissionStatement[] };

export type K8sPrincipal = {
  id: string;
  /** How steps name it: `system:serviceaccount:<namespace>:<name>` for a service account, the person's name otherwise. */
  key: string;
  /** A service account's namespace and name; null for people, whom no step reaches. */
  account: { namespace: string; name: string } | null;
  holdings: K8sHolding[];
};

export type K8sVerdict = {
  id: string;
  level: PrivilegeLevel;
  ownLevel: "privileged" | "standard";
  holdsAdmin: boolean;
  reachesAdmin: boolean;
  path: Step[];
  pathConditional: boolean;
  /** Ids of the service accounts it can act as, directly or through others, in the principals' order. */
  reachableIds: string[];
};

const ALL_NAMESPACES = "*";
/** The group node standing for a namespace's service accounts ("*": every namespace's). */
const namespaceNode = (ns: string) => `namespace:${ns}`;

type Allowed = { cite: Citation; action: string; names: string[] | null };

/**
 * The statement allowing `verb` on `group/resource` in `ns` ("" cluster-scoped)
 * that the requirement accepts: one on every object; else, for a requirement
 * on named objects (cluster-admin, system:masters), one naming them; else,
 * where the class reaches named accounts (`acceptNamed`), the objects all
 * limited rules name together. A rule limited to named objects never grants
 * anything else: Kubernetes never authorises `create` (or a list of all) by name.
 */
function allowed(p: K8sPrincipal, r: K8sRequirement, ns: string, acceptNamed = false): Allowed | null {
  const action = `${r.where === "cluster" ? "" : ns}:${r.verb}:${r.group}/${r.resource}`;
  let naming: Allowed | null = null;
  let limitedCite: Citation | null = null;
  const limitedNames: string[] = [];
  for (const h of p.holdings)
    for (const [statement, s] of h.statements.entries()) {
      if (s.effect !== "Allow" || !(s.actions ?? []).some((a) => k8sActionMatches(a, action))) continue;
      const cite = { policy: h.policy, statement, ...(s.sid ? { sid: s.sid } : {}) };
      if (s.allResources) return { cite, action, names: null };
      const names = s.resources ?? [];
      if (r.names && !naming && r.names.some((n) => names.includes(n))) naming = { cite, action, names: r.names.filter((n) => names.includes(n)) };
      limitedCite ??= cite;
      limitedNames.push(...names);
    }
  if (r.names) return naming;
  return (acceptNamed || r.anyNamed) && limitedCite ? { cite: limitedCite, action, names: limitedNames } : null;
}

/** An alternative's steps in `ns`, when every requirement holds there; the accounts' names it is limited to (null: all). */
function alternativeIn(p: K8sPrincipal, alt: K8sRequirement[], ns: string, cls: K8sPathClass): { actions: StepAction[]; names: string[] | null } | null {
  const actions: StepAction[] = [];
  let names: string[] | null = null;
  for (const r of alt) {
    const a = allowed(p, r, ns, cls.namedAccounts);
    if (!a) return null;
    actions.push({
      action: a.action,
      resource: a.names ? a.names.join(", ") : r.where === "cluster" ? "*" : `namespace ${ns}`,
      allowedBy: [a.cite],
      decision: "allowed",
      dependsOn: [],
    });
    if (cls.namedAccounts && a.names) names = a.names;
  }
  return { actions, names };
}

const edge = (to: string, cls: K8sPathClass, actions: StepAction[]): Capability => ({
  to,
  classId: cls.id,
  title: cls.title,
  actions,
  conditional: !!cls.needs,
  dependsOn: [],
  ...(cls.needs ? { needs: cls.needs } : {}),
});

/** The namespaces a principal's rules name (ALL_NAMESPACES for a cluster-wide rule). */
function namespacesOf(p: K8sPrincipal): Set<string> {
  const out = new Set<string>();
  for (const h of p.holdings) for (const s of h.statements) for (const a of s.actions ?? []) out.add(a.slice(0, Math.max(0, a.indexOf(":"))) || ALL_NAMESPACES);
  return out;
}

/** Every edge out of a principal: to admin, to a namespace's (or every) account group, to named accounts. */
export function k8sCapabilities(p: K8sPrincipal, accountKeys: (ns: string, name: string) => string | undefined): Capability[] {
  const out: Capability[] = [];
  const holds = allowed(p, { verb: "*", group: "*", resource: "*", where: "cluster" }, "");
  // Every verb on every resource in every namespace: cluster-admin, the same step an AWS administrator's path ends with.
  if (holds)
    out.push({
      to: ADMIN,
      classId: "holds-admin",
      title: "holds administrator access",
      actions: [{ action: holds.action, resource: "*", allowedBy: [holds.cite], decision: "allowed", dependsOn: [] }],
      conditional: false,
      dependsOn: [],
    });
  const namespaces = namespacesOf(p);
  for (const cls of k8sPathClasses) {
    const scopes = cls.reach === "namespace-accounts" ? [...namespaces] : [""];
    for (const ns of scopes) {
      // First alternative that holds: one edge per class and scope is enough to name a way.
      let found: ReturnType<typeof alternativeIn> = null;
      for (const alt of cls.alternatives) if ((found = alternativeIn(p, alt, ns, cls))) break;
      if (!found) continue;
      if (cls.reach === "admin") out.push(edge(ADMIN, cls, found.actions));
      else if (cls.reach === "cluster-accounts") out.push(edge(namespaceNode(ALL_NAMESPACES), cls, found.actions));
      else if (found.names === null) out.push(edge(namespaceNode(ns), cls, found.actions));
      else
        for (const name of found.names) {
          // Named accounts: only those, in the namespace the rule is bound in (any, for a cluster-wide rule).
          const key = ns === ALL_NAMESPACES ? undefined : accountKeys(ns, name);
          if (key) out.push(edge(key, cls, found.actions));
          else if (ns === ALL_NAMESPACES) out.push(edge(`named:${name}`, cls, found.actions));
        }
    }
  }
  return out;
}

/** What a principal may do itself: privileged when one of its actions is, else standard (admin is told by the path). */
export function k8sOwnLevel(p: K8sPrincipal): "privileged" | "standard" {
  for (const h of p.holdings)
    for (const s of h.statements) if (s.effect === "Allow" && (s.actions ?? []).some((a) => k8sActionLevel(a) !== "standard")) return "privileged";
  return "standard";
}

const rank = (l: PrivilegeLevel) => privilegeLevels.indexOf(l);

/** The verdicts of one cluster's principals. */
export function analyzeK8sCluster(principals: K8sPrincipal[]): K8sVerdict[] {
  // Only service accounts are reached by name: a person called "system:serviceaccount:…" is nobody's target.
  const index = new Map<string, number>();
  const byNamespace = new Map<string, number[]>();
  const byName = new Map<string, number[]>();
  const accounts: number[] = [];
  principals.forEach((p, i) => {
    if (!p.account) return;
    accounts.push(i);
    index.set(p.key, i);
    (byNamespace.get(p.account.namespace) ?? byNamespace.set(p.account.namespace, []).get(p.account.namespace)!).push(i);
    (byName.get(p.account.name) ?? byName.set(p.account.name, []).get(p.account.name)!).push(i);
  });
  const accountKey = (ns: string, name: string) => {
    const i = index.get(serviceAccountUser(ns, name));
    return i === undefined ? undefined : principals[i].key;
  };
  const caps = principals.map((p) => k8sCapabilities(p, accountKey));
  const own = principals.map(k8sOwnLevel);
  /** The principals an edge leads to (none for admin). */
  const membersOf = (to: string): number[] => {
    if (to === ADMIN) return [];
    if (to.startsWith("namespace:")) {
      const ns = to.slice("namespace:".length);
      return ns === ALL_NAMESPACES ? accounts : (byNamespace.get(ns) ?? []);
    }
    if (to.startsWith("named:")) return byName.get(to.slice("named:".length)) ?? [];
    const i = index.get(to);
    return i === undefined ? [] : [i];
  };

  type Reached = { path: Step[] | null; reached: Set<number> };
  /** Breadth first from `start`: the shortest path to admin over the edges `use` admits, and every principal reached. */
  const search = (start: number, use: (c: Capability) => boolean): Reached => {
    const via = new Map<number, { from: number; cap: Capability }>([[start, { from: -1, cap: null as unknown as Capability }]]);
    const expanded = new Set<string>();
    let queue = [start];
    let admin: { from: number; cap: Capability } | null = null;
    while (queue.length) {
      const next: number[] = [];
      for (const u of queue)
        for (const cap of caps[u]) {
          if (!use(cap)) continue;
          if (cap.to === ADMIN) {
            admin ??= { from: u, cap };
            continue;
          }
          // A group's members are all reached the first time it is: expanding it again adds nobody.
          if (!cap.to.startsWith("system:") && expanded.has(cap.to)) continue;
          expanded.add(cap.to);
          for (const v of membersOf(cap.to))
            if (!via.has(v)) {
              via.set(v, { from: u, cap });
              next.push(v);
            }
        }
      // The first level holding an edge to admin gives the shortest path; the search goes on for the reachable set.
      queue = next;
    }
    via.delete(start);
    if (!admin) return { path: null, reached: new Set(via.keys()) };
    const path: Step[] = [{ ...admin.cap, from: principals[admin.from].key }];
    for (let at = admin.from; at !== start;) {
      const step = via.get(at)!;
      path.unshift({ ...step.cap, to: principals[at].key, from: principals[step.from].key });
      at = step.from;
    }
    return { path, reached: new Set(via.keys()) };
  };

  return principals.map((p, i) => {
    const firm = search(i, (c) => !c.conditional);
    const any = firm.path ? null : search(i, () => true);
    const reached = any?.reached ?? search(i, () => true).reached;
    const path = firm.path ?? any?.path ?? [];
    const holdsAdmin = caps[i].some((c) => c.classId === "holds-admin");
    const reachesAdmin = path.length > 0;
    const reachedOrder = [...reached].sort((a, b) => a - b);
    const level: PrivilegeLevel = reachesAdmin
      ? "admin"
      : own[i] === "privileged" || reachedOrder.some((r) => own[r] === "privileged")
        ? "privileged"
        : "standard";
    return {
      id: p.id,
      level,
      ownLevel: own[i],
      holdsAdmin,
      reachesAdmin,
      path,
      pathConditional: reachesAdmin && !firm.path,
      reachableIds: reachedOrder.map((r) => principals[r].id),
    };
  });
}

/** Of one identity's verdicts in several clusters, the one that says most (then the first). */
export function strongestVerdict<T extends K8sVerdict>(a: T, b: T): T {
  if (rank(a.level) !== rank(b.level)) return rank(a.level) > rank(b.level) ? a : b;
  if (a.reachesAdmin && b.reachesAdmin && a.pathConditional !== b.pathConditional) return a.pathConditional ? b : a;
  return a;
}
