import { describe, expect, it } from "vitest";
import { k8sAction, k8sActionLevel, k8sActionMatches, k8sPrivilegeLevel, ruleStatement } from "./model";

const rule = (verbs: string[], resources: string[], apiGroups = [""], extra: { resourceNames?: string[]; nonResourceURLs?: string[] } = {}) => ({
  verbs,
  resources,
  apiGroups,
  resourceNames: extra.resourceNames ?? [],
  nonResourceURLs: extra.nonResourceURLs ?? [],
});

describe("the Kubernetes permission model", () => {
  it("matches rules as the API server authorizes requests: namespace, verb, group, resource and subresource", () => {
    const [allSecrets] = ruleStatement(rule(["get"], ["secrets"]), null).actions!;
    expect(allSecrets).toBe("*:get:core/secrets");
    expect(k8sActionMatches(allSecrets, k8sAction({ namespace: "payments", verb: "get", group: "", resource: "secrets" }))).toBe(true);
    expect(k8sActionMatches(allSecrets, k8sAction({ namespace: "payments", verb: "list", group: "", resource: "secrets" }))).toBe(false);
    const scoped = ruleStatement(rule(["create"], ["pods/exec"]), "payments").actions![0];
    expect(k8sActionMatches(scoped, "payments:create:core/pods/exec")).toBe(true);
    expect(k8sActionMatches(scoped, "default:create:core/pods/exec")).toBe(false);
    // A resource does not cover its subresources; `pods/*` and `*` do.
    expect(k8sActionMatches("payments:create:core/pods", "payments:create:core/pods/exec")).toBe(false);
    expect(k8sActionMatches("payments:create:core/pods/*", "payments:create:core/pods/exec")).toBe(true);
    expect(k8sActionMatches("*:*:*/*", "payments:create:core/pods/exec")).toBe(true);
    expect(k8sActionMatches("*:patch:*/*/scale", "payments:patch:apps/deployments/scale")).toBe(true);
    // A namespaced grant never reaches cluster-scoped resources.
    expect(k8sActionMatches("payments:get:core/nodes", ":get:core/nodes")).toBe(false);
    expect(k8sActionMatches("*:get:core/nodes", ":get:core/nodes")).toBe(true);
    // Non-resource URLs, only from cluster-wide bindings.
    expect(ruleStatement(rule(["get"], [], [], { nonResourceURLs: ["/healthz/*"] }), null).actions).toEqual([":get:url/healthz/*"]);
    expect(ruleStatement(rule(["get"], [], [], { nonResourceURLs: ["/healthz"] }), "payments").actions).toEqual([]);
    expect(k8sActionMatches(":get:url/healthz/*", ":get:url/healthz/etcd")).toBe(true);
    // An API group whose name begins with "url" is a group like any other.
    expect(k8sActionMatches("*:*:*/*", "team:get:urlmaps.example.io/things")).toBe(true);
    expect(k8sActionMatches("*:get:urlmaps.example.io/things", "team:get:urlmaps.example.io/things")).toBe(true);
    expect(k8sActionMatches(":get:url/healthz/*", "team:get:urlmaps.example.io/things")).toBe(false);
    expect(ruleStatement(rule(["get"], ["configmaps"], [""], { resourceNames: ["app-config"] }), "payments")).toMatchObject({
      allResources: false,
      resources: ["app-config"],
    });
  });

  it("ranks Kubernetes' own escalation risks", () => {
    expect(k8sActionLevel("*:*:*/*")).toBe("admin");
    expect(k8sActionLevel("*:bind:rbac.authorization.k8s.io/clusterroles")).toBe("admin");
    expect(k8sActionLevel("*:impersonate:core/users")).toBe("admin");
    expect(k8sActionLevel("payments:get:core/secrets")).toBe("privileged");
    expect(k8sActionLevel("payments:create:core/pods")).toBe("privileged");
    expect(k8sActionLevel("payments:create:core/pods/exec")).toBe("privileged");
    expect(k8sActionLevel("*:get:core/nodes/proxy")).toBe("privileged");
    expect(k8sActionLevel("*:create:rbac.authorization.k8s.io/rolebindings")).toBe("privileged");
    expect(k8sActionLevel("payments:get:core/pods")).toBe("standard");
    expect(k8sActionLevel("payments:list:apps/deployments")).toBe("standard");
    expect(k8sPrivilegeLevel([ruleStatement(rule(["get", "list", "watch"], ["pods", "services"]), null)])).toBe("standard");
  });
});
