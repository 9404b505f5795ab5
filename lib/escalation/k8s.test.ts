import { describe, expect, it } from "vitest";
import { ruleStatement } from "@/lib/permissions/k8s/model";
import { analyzeK8sCluster, strongestVerdict, type K8sPrincipal } from "./k8s";
import { k8sPathClasses } from "./k8s-catalogue";

type Rule = { verbs: string[]; apiGroups?: string[]; resources: string[]; resourceNames?: string[] };
const rule = (r: Rule) => ({ apiGroups: [""], resourceNames: [], nonResourceURLs: [], ...r });
/** A role holding `rules`, bound in `scope` (a RoleBinding's namespace) or cluster-wide (null). */
const role = (policy: string, scope: string | null, ...rules: Rule[]) => ({ policy, statements: rules.map((r) => ruleStatement(rule(r), scope)) });
const CLUSTER_ADMIN = role("cluster-admin", null, { verbs: ["*"], apiGroups: ["*"], resources: ["*"] });

let n = 0;
const account = (namespace: string, name: string, ...holdings: K8sPrincipal["holdings"]): K8sPrincipal => ({
  id: `id-${++n}`,
  key: `system:serviceaccount:${namespace}:${name}`,
  account: { namespace, name },
  holdings,
});
const person = (name: string, ...holdings: K8sPrincipal["holdings"]): K8sPrincipal => ({ id: `id-${++n}`, key: name, account: null, holdings });

const verdictOf = (who: K8sPrincipal, others: K8sPrincipal[]) => analyzeK8sCluster([who, ...others]).find((v) => v.id === who.id)!;
const classesOf = (v: { path: { classId: string }[] }) => v.path.map((s) => s.classId);
const covered = new Set<string>();
const expectPath = (v: ReturnType<typeof verdictOf>, classes: string[]) => {
  expect(classesOf(v)).toEqual(classes);
  classes.forEach((c) => covered.add(c));
};

describe("Kubernetes escalation analysis", () => {
  const deployer = () => account("payments", "deployer", CLUSTER_ADMIN);

  it("holding every verb on every resource cluster-wide is administrator access, cited", () => {
    const v = verdictOf(deployer(), []);
    expect(v).toMatchObject({ level: "admin", holdsAdmin: true, reachesAdmin: true, pathConditional: false });
    expect(v.path[0].actions[0]).toMatchObject({ action: ":*:*/*", allowedBy: [{ policy: "cluster-admin", statement: 0 }] });
  });

  it("cluster-admin bound in one namespace is not administrator of the cluster", () => {
    const nsAdmin = account("payments", "ops", role("admin (in payments)", "payments", { verbs: ["*"], apiGroups: ["*"], resources: ["*"] }));
    const v = verdictOf(nsAdmin, [account("payments", "worker")]);
    expect(v).toMatchObject({ level: "privileged", holdsAdmin: false, reachesAdmin: false });
    expect(v.reachableIds).toHaveLength(1);
  });

  it("creating pods in a namespace whose service account is cluster-admin reaches administrator, step by step", () => {
    const target = deployer();
    const ci = account("payments", "ci", role("payments/pod-runner", "payments", { verbs: ["create"], resources: ["pods"] }));
    const v = verdictOf(ci, [target]);
    expectPath(v, ["k8s-create-pod", "holds-admin"]);
    expect(v).toMatchObject({ level: "admin", holdsAdmin: false, reachesAdmin: true, pathConditional: false, reachableIds: [target.id] });
    expect(v.path[0]).toMatchObject({ from: ci.key, to: target.key });
    expect(v.path[0].actions[0]).toMatchObject({
      action: "payments:create:core/pods",
      resource: "namespace payments",
      allowedBy: [{ policy: "payments/pod-runner", statement: 0 }],
    });
    expect(v.path[1].from).toBe(target.key);
    // The same rule in another namespace reaches nobody there.
    expect(verdictOf(account("web", "ci", role("web/pod-runner", "web", { verbs: ["create"], resources: ["pods"] })), [target]).reachesAdmin).toBe(false);
  });

  it("a workload controller's pod template runs as any account of its namespace too", () => {
    const v = verdictOf(person("Dana Deployer", role("payments/deploy", "payments", { verbs: ["create"], apiGroups: ["apps"], resources: ["deployments"] })), [
      deployer(),
    ]);
    expectPath(v, ["k8s-create-pod", "holds-admin"]);
    expect(v.path[0].actions[0].action).toBe("payments:create:apps/deployments");
  });

  it("exec into pods and reading token Secrets are paths that need something beyond RBAC: conditional, said in the step", () => {
    const exec = verdictOf(account("payments", "debug", role("payments/exec", "payments", { verbs: ["create"], resources: ["pods/exec"] })), [deployer()]);
    expectPath(exec, ["k8s-exec-pod", "holds-admin"]);
    expect(exec).toMatchObject({ level: "admin", pathConditional: true });
    expect(exec.path[0].needs).toMatch(/running pod/);
    const secrets = verdictOf(account("payments", "reader", role("payments/secrets", "payments", { verbs: ["get"], resources: ["secrets"] })), [deployer()]);
    expectPath(secrets, ["k8s-read-token-secret", "holds-admin"]);
    expect(secrets.path[0].needs).toMatch(/token Secret/);
  });

  it("an unconditional path is preferred to a shorter conditional one", () => {
    const middle = account("ops", "runner", role("ops/pods", "ops", { verbs: ["create"], resources: ["pods"] }));
    const ops = account("ops", "admin", CLUSTER_ADMIN);
    const who = account(
      "payments",
      "x",
      role("payments/pods", "payments", { verbs: ["create"], resources: ["pods"] }),
      role("ops/exec", "ops", { verbs: ["create"], resources: ["pods/exec"] }),
    );
    const runner = account("payments", "runner", role("ops/pods (in payments)", "ops", { verbs: ["create"], resources: ["pods"] }));
    const v = verdictOf(who, [middle, ops, runner]);
    expect(v.pathConditional).toBe(false);
    expect(classesOf(v)).toEqual(["k8s-create-pod", "k8s-create-pod", "holds-admin"]);
  });

  it("binding cluster-admin cluster-wide is administrator; bind limited to other roles is not", () => {
    const binder = person(
      "Bo Binder",
      role(
        "rbac-manager",
        null,
        { verbs: ["bind"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"] },
        { verbs: ["create"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterrolebindings"] },
      ),
    );
    expectPath(verdictOf(binder, []), ["k8s-bind-cluster-admin"]);
    const limited = person(
      "Li Limited",
      role(
        "view-binder",
        null,
        { verbs: ["bind"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], resourceNames: ["view"] },
        { verbs: ["create"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterrolebindings"] },
      ),
    );
    expect(verdictOf(limited, []).reachesAdmin).toBe(false);
  });

  it("escalate on cluster roles it may update is administrator, needing a role bound to it", () => {
    const v = verdictOf(
      person("Eve", role("role-editor", null, { verbs: ["escalate", "update"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"] })),
      [],
    );
    expectPath(v, ["k8s-escalate-own-role"]);
    expect(v.pathConditional).toBe(true);
  });

  it("binding in a namespace reaches its service accounts", () => {
    const v = verdictOf(
      account(
        "payments",
        "binder",
        role(
          "payments/binder",
          "payments",
          { verbs: ["bind"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"] },
          { verbs: ["create"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"] },
        ),
      ),
      [deployer()],
    );
    expectPath(v, ["k8s-bind-in-namespace", "holds-admin"]);
  });

  it("impersonating system:masters (with a user, as the API server requires) is administrator; another group is not", () => {
    // Users limited to one name, groups to system:masters: the group is what makes it administrator.
    const masters = person(
      "Ida",
      role(
        "impersonator",
        null,
        { verbs: ["impersonate"], resources: ["users"], resourceNames: ["nobody"] },
        { verbs: ["impersonate"], resources: ["groups"], resourceNames: ["system:masters"] },
      ),
    );
    expectPath(verdictOf(masters, []), ["k8s-impersonate-masters"]);
    expect(verdictOf(masters, [])).toMatchObject({ pathConditional: false });
    // Groups without any user to wear them: nothing.
    expect(verdictOf(person("Igor", role("groups-only", null, { verbs: ["impersonate"], resources: ["groups"] })), []).reachesAdmin).toBe(false);
    expect(
      verdictOf(person("Ian", role("dev-impersonator", null, { verbs: ["impersonate"], resources: ["groups"], resourceNames: ["developers"] })), [])
        .reachesAdmin,
    ).toBe(false);
    // Any user at all: administrator if one is bound to cluster-admin, which the export does not say of users.
    const anyone = verdictOf(person("Ulla", role("user-impersonator", null, { verbs: ["impersonate"], resources: ["users"] })), []);
    expectPath(anyone, ["k8s-impersonate-user"]);
    expect(anyone.pathConditional).toBe(true);
    // A RoleBinding cannot grant a cluster-scoped resource.
    expect(verdictOf(person("Ina", role("ns-impersonator", "payments", { verbs: ["impersonate"], resources: ["groups"] })), []).reachesAdmin).toBe(false);
  });

  it("impersonating or requesting tokens for named accounts reaches those accounts only", () => {
    const admin = deployer();
    const other = account("payments", "worker");
    const imp = verdictOf(
      account("payments", "a", role("payments/imp", "payments", { verbs: ["impersonate"], resources: ["serviceaccounts"], resourceNames: ["worker"] })),
      [admin, other],
    );
    expect(imp).toMatchObject({ reachesAdmin: false, reachableIds: [other.id] });
    const tok = verdictOf(
      account("payments", "b", role("payments/tok", "payments", { verbs: ["create"], resources: ["serviceaccounts/token"], resourceNames: ["deployer"] })),
      [admin, other],
    );
    expectPath(tok, ["k8s-token-request", "holds-admin"]);
    // Through the administrator it reaches everyone; a token for the worker reaches the worker alone.
    expect(tok.reachableIds).toEqual([admin.id, other.id]);
    const workerToken = verdictOf(
      account("payments", "d", role("payments/tok-w", "payments", { verbs: ["create"], resources: ["serviceaccounts/token"], resourceNames: ["worker"] })),
      [admin, other],
    );
    expect(workerToken).toMatchObject({ reachesAdmin: false, reachableIds: [other.id] });
    expectPath(verdictOf(account("payments", "c", role("payments/imp-all", "payments", { verbs: ["impersonate"], resources: ["serviceaccounts"] })), [admin]), [
      "k8s-impersonate-account",
      "holds-admin",
    ]);
  });

  it("nodes/proxy reaches every service account of the cluster, conditionally", () => {
    const far = account("kube-system", "controller", CLUSTER_ADMIN);
    const v = verdictOf(person("Nora", role("node-proxy", null, { verbs: ["get"], resources: ["nodes/proxy"] })), [far, account("web", "app")]);
    expectPath(v, ["k8s-nodes-proxy", "holds-admin"]);
    expect(v.reachableIds).toHaveLength(2);
    expect(v.pathConditional).toBe(true);
  });

  it("a rule limited to named objects grants nothing else: no cluster-admin by name, no create by name", () => {
    const named = role("named-all", null, { verbs: ["*"], apiGroups: ["*"], resources: ["*"], resourceNames: ["one-thing"] });
    expect(verdictOf(person("Nat", named), []).holdsAdmin).toBe(false);
    const namedPods = role("payments/named-pods", "payments", { verbs: ["create"], resources: ["pods"], resourceNames: ["debug"] });
    expect(verdictOf(account("payments", "x", namedPods), [deployer()]).reachesAdmin).toBe(false);
    // Binding a role named elsewhere than cluster-admin: not cluster-admin.
    const viewBinder = role(
      "view-binder",
      null,
      { verbs: ["bind"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], resourceNames: ["view"] },
      { verbs: ["bind"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], resourceNames: ["cluster-admin"] },
      { verbs: ["create"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterrolebindings"] },
    );
    // Cited by the rule that names cluster-admin, not the first limited one.
    expect(verdictOf(person("Vera", viewBinder), []).path[0].actions[0].allowedBy[0]).toMatchObject({ policy: "view-binder", statement: 1 });
  });

  it("changing a workload's pod template runs as any account of its namespace", () => {
    const v = verdictOf(
      account("payments", "cd", role("payments/patch-deploy", "payments", { verbs: ["patch"], apiGroups: ["apps"], resources: ["deployments"] })),
      [deployer()],
    );
    expectPath(v, ["k8s-create-pod", "holds-admin"]);
  });

  it("a read-only viewer is standard and reaches nobody", () => {
    const v = verdictOf(
      person("Vic", role("view", null, { verbs: ["get", "list", "watch"], apiGroups: ["", "apps"], resources: ["pods", "deployments", "configmaps"] })),
      [deployer()],
    );
    expect(v).toMatchObject({ level: "standard", ownLevel: "standard", reachesAdmin: false, reachableIds: [], path: [] });
  });

  it("of an identity's verdicts in two clusters, the strongest is kept", () => {
    const [a] = analyzeK8sCluster([person("P", role("view", null, { verbs: ["get"], resources: ["pods"] }))]);
    const [b] = analyzeK8sCluster([person("P", CLUSTER_ADMIN)]);
    expect(strongestVerdict(a, b)).toBe(b);
    expect(strongestVerdict(b, a)).toBe(b);
  });

  it("every class of the catalogue is pinned by a test above", () => {
    expect(k8sPathClasses.map((c) => c.id).filter((id) => !covered.has(id))).toEqual([]);
  });
});
