import { privilegeLevels, type PermissionStatement, type PrivilegeLevel } from "@/db/schema";
import type { PermissionModel } from "../model";

/*
 * Kubernetes actions, as this product names them: `<namespace>:<verb>:<group>/<resource>[/<subresource>]`
 * ("payments:create:core/pods/exec", ":get:core/nodes" for a cluster-scoped resource, "core" for the
 * API's core group ""), and `:<verb>:url<path>` for non-resource URLs (":get:url/healthz"). A statement's
 * pattern puts `*` where a rule says all: "*:get:core/secrets" is `get secrets` in every namespace
 * (a ClusterRoleBinding), "payments:*:core/pods" every verb on pods in one namespace (a RoleBinding).
 */

const split = (s: string): [string, string, string] | null => {
  const a = s.indexOf(":");
  const b = a < 0 ? -1 : s.indexOf(":", a + 1);
  return b < 0 ? null : [s.slice(0, a), s.slice(a + 1, b), s.slice(b + 1)];
};

/** Whether a rule's resource (`pods`, `pods/exec`, `pods/*`, `*`, `*\/scale`) covers a requested one. */
function resourceCovers(pattern: string, resource: string): boolean {
  if (pattern === "*" || pattern === resource) return true;
  const [pr, ps] = pattern.split("/", 2);
  const [r, s] = resource.split("/", 2);
  if (ps === undefined || s === undefined) return false;
  return (ps === "*" && pr === r) || (pr === "*" && ps === s);
}

export function k8sActionMatches(pattern: string, action: string): boolean {
  if (pattern === "*") return true;
  const p = split(pattern);
  const a = split(action);
  if (!p || !a) return false;
  if (p[0] !== "*" && p[0] !== a[0]) return false;
  if (p[1] !== "*" && p[1] !== a[1]) return false;
  // Non-resource URLs are "url" and their path; an API group may begin with "url" too (urlmaps.example.io).
  const isUrl = (x: string) => x.startsWith("url/");
  if (isUrl(p[2]) || isUrl(a[2])) {
    const path = p[2].slice(3);
    return p[2] === a[2] || (isUrl(p[2]) && path.endsWith("*") && isUrl(a[2]) && a[2].slice(3).startsWith(path.slice(0, -1)));
  }
  const ps = p[2].indexOf("/");
  const as = a[2].indexOf("/");
  if (ps < 0 || as < 0) return false;
  const group = p[2].slice(0, ps);
  return (group === "*" || group === a[2].slice(0, as)) && resourceCovers(p[2].slice(ps + 1), a[2].slice(as + 1));
}

/** One request, named as statements name actions (namespace "" for cluster-scoped resources, group "" as "core"). */
export const k8sAction = (r: { namespace: string | null; verb: string; group: string; resource: string; subresource?: string | null }) =>
  `${r.namespace ?? ""}:${r.verb}:${r.group || "core"}/${r.resource}${r.subresource ? `/${r.subresource}` : ""}`;

/** A rule's statement, granted within `scope` (a RoleBinding's namespace) or everywhere (null: a ClusterRoleBinding). */
export function ruleStatement(
  rule: { verbs: string[]; apiGroups: string[]; resources: string[]; resourceNames: string[]; nonResourceURLs: string[] },
  scope: string | null,
): PermissionStatement {
  const ns = scope ?? "*";
  const actions: string[] = [];
  for (const verb of rule.verbs) {
    for (const group of rule.apiGroups) for (const resource of rule.resources) actions.push(`${ns}:${verb}:${group === "" ? "core" : group}/${resource}`);
    // Non-resource URLs are cluster-wide: a RoleBinding cannot grant them.
    if (scope === null) for (const url of rule.nonResourceURLs) actions.push(`:${verb}:url${url}`);
  }
  const named = rule.resourceNames.length > 0;
  return {
    effect: "Allow",
    actions,
    conditional: false,
    // Limited to named objects: not every object of the kind.
    allResources: !named,
    ...(named ? { resources: rule.resourceNames } : {}),
  };
}

const ESCALATING_VERBS = new Set(["escalate", "bind", "impersonate"]);
const READS = new Set(["get", "list", "watch"]);
const WRITES = new Set(["create", "update", "patch", "delete", "deletecollection"]);

/**
 * What an action can do in the cluster, in Kubernetes' own terms of privilege escalation
 * (https://kubernetes.io/docs/concepts/security/rbac-good-practices/#privilege-escalation-risks):
 * - admin: every verb on every resource, or the verbs that grant more than one holds (escalate, bind, impersonate)
 * - privileged: reading secrets, running code in pods (create pods, pods/exec, attach, port-forward),
 *   the kubelet's API (nodes/proxy), changing RBAC, approving certificate requests, tokens of service accounts
 */
export function k8sActionLevel(action: string): PrivilegeLevel {
  const a = split(action);
  if (!a) return "standard";
  const [, verb, rest] = a;
  const slash = rest.indexOf("/");
  const group = slash < 0 ? rest : rest.slice(0, slash);
  const resource = slash < 0 ? "" : rest.slice(slash + 1);
  if (ESCALATING_VERBS.has(verb) || (verb === "*" && group === "*" && resource === "*")) return "admin";
  const res = resource.split("/")[0];
  const sub = resource.split("/")[1];
  const any = (set: Set<string>) => verb === "*" || set.has(verb);
  if (res === "secrets" || res === "*") return any(READS) || any(WRITES) ? "privileged" : "standard";
  if (res === "pods" && (sub === undefined ? any(new Set(["create"])) : ["exec", "attach", "portforward", "ephemeralcontainers"].includes(sub)))
    return "privileged";
  if (res === "nodes" && sub === "proxy") return "privileged";
  if (res === "serviceaccounts" && sub === "token" && any(new Set(["create"]))) return "privileged";
  if ((group === "rbac.authorization.k8s.io" || group === "*") && any(WRITES)) return "privileged";
  if (group === "certificates.k8s.io" && sub === "approval") return "privileged";
  if (["deployments", "daemonsets", "statefulsets", "replicasets", "jobs", "cronjobs"].includes(res) && any(new Set(["create", "update", "patch"])))
    return "privileged";
  return "standard";
}

/** An entitlement's level: its most powerful action. */
export function k8sPrivilegeLevel(statements: PermissionStatement[]): PrivilegeLevel {
  let level: PrivilegeLevel = "standard";
  for (const s of statements)
    for (const a of s.actions ?? []) {
      const l = k8sActionLevel(a);
      if (privilegeLevels.indexOf(l) > privilegeLevels.indexOf(level)) level = l;
    }
  return level;
}

export const k8sPermissionModel: PermissionModel = {
  actionMatches: k8sActionMatches,
  isSensitive: (action) => k8sActionLevel(action) !== "standard",
  // The API server's audit log records every request its policy asks for: a request is observable.
  observability: () => "observable",
};
