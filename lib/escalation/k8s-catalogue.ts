/*
 * Kubernetes RBAC escalation paths, as data: what a principal must be allowed
 * (verb, API group, resource, where) to take over another identity of the
 * cluster or the cluster itself. A new class is an entry here plus a test in
 * k8s.test.ts. Sources:
 * - Kubernetes, "Role Based Access Control Good Practices", privilege escalation risks:
 *   https://kubernetes.io/docs/concepts/security/rbac-good-practices/#privilege-escalation-risks
 * - Kubernetes, "Using RBAC Authorization", restrictions on role creation or update and on role binding:
 *   https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping
 * - Kubernetes, "User impersonation": https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation
 * - Kubernetes, "Service account tokens" (legacy token Secrets, the TokenRequest API):
 *   https://kubernetes.io/docs/concepts/security/service-accounts/#get-a-token
 * - Kubernetes, kubelet authorization (nodes/proxy reaches the kubelet API, which runs commands in pods):
 *   https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/#kubelet-authorization
 */

/** One permission a step needs: `verb` on `group`/`resource`, in the target's namespace or cluster-wide. */
export type K8sRequirement = {
  verb: string;
  group: string;
  resource: string;
  /** namespace: in the namespace of the accounts reached; cluster: a cluster-scoped resource or every namespace. */
  where: "namespace" | "cluster";
  /** resourceNames that must be allowed when the rule names some (a role binding to cluster-admin, the group system:masters). */
  names?: string[];
  /** Any one named object will do (a user to impersonate alongside a group). */
  anyNamed?: boolean;
};

/**
 * What a class reaches: administrator access, the service accounts of the
 * namespace it is allowed in, or every service account of the cluster.
 */
export type K8sReach = "admin" | "namespace-accounts" | "cluster-accounts";

export type K8sPathClass = {
  id: string;
  title: string;
  /** Each alternative is a set of requirements that must all hold. */
  alternatives: K8sRequirement[][];
  reach: K8sReach;
  /** What must exist beyond RBAC for the step to work (a running pod…), said in the step (and making it conditional). */
  needs?: string;
  /** Requirements limited to named objects that name these accounts' names restrict the reach to them. */
  namedAccounts?: boolean;
  sources: string[];
};

const GOOD_PRACTICES = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#privilege-escalation-risks";
const RBAC_ESCALATION = "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping";
const IMPERSONATION = "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation";
const TOKENS = "https://kubernetes.io/docs/concepts/security/service-accounts/#get-a-token";
const KUBELET = "https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/#kubelet-authorization";

const RBAC = "rbac.authorization.k8s.io";
const WORKLOADS: [string, string][] = [
  ["apps", "deployments"],
  ["apps", "daemonsets"],
  ["apps", "statefulsets"],
  ["apps", "replicasets"],
  ["batch", "jobs"],
  ["batch", "cronjobs"],
  ["core", "replicationcontrollers"],
];

export const k8sPathClasses: K8sPathClass[] = [
  {
    id: "k8s-bind-cluster-admin",
    title: "binds itself to cluster-admin",
    // Binding a role needs `bind` on it unless one already holds every permission it grants.
    alternatives: [
      [
        { verb: "bind", group: RBAC, resource: "clusterroles", where: "cluster", names: ["cluster-admin"] },
        { verb: "create", group: RBAC, resource: "clusterrolebindings", where: "cluster" },
      ],
    ],
    reach: "admin",
    sources: [RBAC_ESCALATION, GOOD_PRACTICES],
  },
  {
    id: "k8s-escalate-own-role",
    title: "adds every permission to a cluster role bound to it",
    // `escalate` lifts the rule that a role may only be written with permissions one holds.
    alternatives: [
      [
        { verb: "escalate", group: RBAC, resource: "clusterroles", where: "cluster" },
        { verb: "update", group: RBAC, resource: "clusterroles", where: "cluster" },
      ],
      [
        { verb: "escalate", group: RBAC, resource: "clusterroles", where: "cluster" },
        { verb: "patch", group: RBAC, resource: "clusterroles", where: "cluster" },
      ],
    ],
    reach: "admin",
    needs: "a cluster role bound to it cluster-wide that it may change",
    sources: [RBAC_ESCALATION, GOOD_PRACTICES],
  },
  {
    id: "k8s-impersonate-masters",
    title: "impersonates the group system:masters",
    // Members of system:masters pass every authorization check. A group is impersonated with a user (the API
    // server refuses Impersonate-Group alone), any user.
    alternatives: [
      [
        { verb: "impersonate", group: "core", resource: "users", where: "cluster", anyNamed: true },
        { verb: "impersonate", group: "core", resource: "groups", where: "cluster", names: ["system:masters"] },
      ],
    ],
    reach: "admin",
    sources: [IMPERSONATION, GOOD_PRACTICES],
  },
  {
    id: "k8s-impersonate-user",
    title: "impersonates any user",
    // Any user includes those bound to cluster-admin; which users are, the RBAC export names only by binding.
    alternatives: [[{ verb: "impersonate", group: "core", resource: "users", where: "cluster" }]],
    reach: "admin",
    needs: "a user bound to cluster-admin",
    sources: [IMPERSONATION, GOOD_PRACTICES],
  },
  {
    id: "k8s-bind-in-namespace",
    title: "binds itself to any role in the namespace",
    alternatives: [
      [
        { verb: "bind", group: RBAC, resource: "clusterroles", where: "namespace" },
        { verb: "create", group: RBAC, resource: "rolebindings", where: "namespace" },
      ],
      [
        { verb: "escalate", group: RBAC, resource: "roles", where: "namespace" },
        { verb: "create", group: RBAC, resource: "roles", where: "namespace" },
        { verb: "bind", group: RBAC, resource: "roles", where: "namespace" },
        { verb: "create", group: RBAC, resource: "rolebindings", where: "namespace" },
      ],
    ],
    reach: "namespace-accounts",
    sources: [RBAC_ESCALATION, GOOD_PRACTICES],
  },
  {
    id: "k8s-impersonate-account",
    title: "impersonates a service account",
    alternatives: [[{ verb: "impersonate", group: "core", resource: "serviceaccounts", where: "namespace" }]],
    reach: "namespace-accounts",
    namedAccounts: true,
    sources: [IMPERSONATION, GOOD_PRACTICES],
  },
  {
    id: "k8s-create-pod",
    title: "runs a pod as a service account",
    // A pod names any service account of its namespace; so does a workload's pod template.
    // Changing a workload's pod template (update, patch) does the same for the pods it makes next.
    alternatives: [
      [{ verb: "create", group: "core", resource: "pods", where: "namespace" }],
      ...WORKLOADS.flatMap(([group, resource]): K8sRequirement[][] =>
        ["create", "update", "patch"].map((verb) => [{ verb, group, resource, where: "namespace" }]),
      ),
    ],
    reach: "namespace-accounts",
    sources: [GOOD_PRACTICES],
  },
  {
    id: "k8s-token-request",
    title: "requests a token for a service account",
    alternatives: [[{ verb: "create", group: "core", resource: "serviceaccounts/token", where: "namespace" }]],
    reach: "namespace-accounts",
    namedAccounts: true,
    sources: [TOKENS, GOOD_PRACTICES],
  },
  {
    id: "k8s-exec-pod",
    title: "runs a command in a pod running as a service account",
    alternatives: [
      [{ verb: "create", group: "core", resource: "pods/exec", where: "namespace" }],
      // Since 1.30 `kubectl exec` speaks WebSockets, authorised as get.
      [{ verb: "get", group: "core", resource: "pods/exec", where: "namespace" }],
      [{ verb: "create", group: "core", resource: "pods/attach", where: "namespace" }],
      [{ verb: "patch", group: "core", resource: "pods/ephemeralcontainers", where: "namespace" }],
    ],
    reach: "namespace-accounts",
    needs: "a running pod that uses the service account",
    sources: [GOOD_PRACTICES],
  },
  {
    id: "k8s-read-token-secret",
    title: "reads a service account's token Secret",
    alternatives: [
      [{ verb: "get", group: "core", resource: "secrets", where: "namespace" }],
      [{ verb: "list", group: "core", resource: "secrets", where: "namespace" }],
    ],
    reach: "namespace-accounts",
    needs: "a long-lived token Secret (kubernetes.io/service-account-token) for the service account",
    sources: [TOKENS, GOOD_PRACTICES],
  },
  {
    id: "k8s-nodes-proxy",
    title: "runs a command in a pod through the kubelet API (nodes/proxy)",
    alternatives: [
      [{ verb: "create", group: "core", resource: "nodes/proxy", where: "cluster" }],
      [{ verb: "get", group: "core", resource: "nodes/proxy", where: "cluster" }],
    ],
    reach: "cluster-accounts",
    needs: "a running pod that uses the service account",
    sources: [KUBELET, GOOD_PRACTICES],
  },
];
