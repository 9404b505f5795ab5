import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { findings, identities, identityEscalations } from "@/db/schema";
import { importK8sRbac } from "@/lib/ingest/k8s/rbac-import";
import { listIdentities } from "@/lib/identities/list";
import { makeCaller, makeGrant, makePerson, uniq } from "@/lib/testing/harness";
import { isolatedForFile } from "@/lib/testing/isolated";
import { escalationOf } from "./read";
import { runEscalationAnalysis } from "./run";

// The analysis covers every cluster in the database: a database of its own.
const testDb = isolatedForFile();

const sa = (namespace: string, name: string) => ({ kind: "ServiceAccount", metadata: { namespace, name, uid: `${namespace}-${name}` } });
const binding = (kind: "RoleBinding" | "ClusterRoleBinding", name: string, role: { kind: string; name: string }, subjects: object[], namespace?: string) => ({
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", ...role },
  subjects,
});
const account = (namespace: string, name: string) => ({ kind: "ServiceAccount", name, namespace });

/** A cluster where payments/ci may create pods in payments, whose deployer account is cluster-admin (unless `fixed`). */
function cluster(person: string, opts: { fixed?: boolean } = {}) {
  return {
    kind: "List",
    items: [
      sa("payments", "ci"),
      sa("payments", "deployer"),
      sa("web", "app"),
      { kind: "ClusterRole", metadata: { name: "cluster-admin" }, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] },
      { kind: "Role", metadata: { namespace: "payments", name: "pod-runner" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["create", "get"] }] },
      { kind: "ClusterRole", metadata: { name: "view" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }] },
      ...(opts.fixed
        ? []
        : [binding("ClusterRoleBinding", "deployer-admin", { kind: "ClusterRole", name: "cluster-admin" }, [account("payments", "deployer")])]),
      binding("RoleBinding", "ci-pods", { kind: "Role", name: "pod-runner" }, [account("payments", "ci"), { kind: "User", name: person }], "payments"),
      binding("ClusterRoleBinding", "web-view", { kind: "ClusterRole", name: "view" }, [account("web", "app")]),
    ],
  };
}

const idOf = async (db: Db, systemId: string, user: string) =>
  (
    await db
      .select({ id: identities.id })
      .from(identities)
      .where(and(eq(identities.systemId, systemId), eq(identities.externalId, user)))
  )[0].id;

describe("the escalation analysis over Kubernetes clusters", () => {
  it("finds who can become cluster-admin and how, raises the finding, judges people too, and follows a re-import", async () => {
    const db = testDb();
    const dev = await makePerson(db);
    const name = uniq("k8s");
    const first = await importK8sRbac(db, { cluster: name, documents: [cluster(dev.email!)] });
    await runEscalationAnalysis(db);

    const ci = await idOf(db, first.systemId, "system:serviceaccount:payments:ci");
    const deployer = await idOf(db, first.systemId, "system:serviceaccount:payments:deployer");
    const app = await idOf(db, first.systemId, "system:serviceaccount:web:app");
    const e = await escalationOf(db, null, ci);
    expect(e).toMatchObject({ privilegeLevel: "admin", holdsAdmin: false, reachesAdmin: true, conditional: false });
    const steps = e.escalation[0].steps;
    expect(steps.map((s) => [s.pathClass, s.description])).toEqual([
      ["k8s-create-pod", "runs a pod as a service account (payments/deployer)"],
      ["holds-admin", "holds administrator access"],
    ]);
    expect(steps[0].actions[0]).toMatchObject({
      action: "payments:create:core/pods",
      resource: "namespace payments",
      allowedBy: [{ policy: "payments/pod-runner", statement: 0 }],
    });
    expect(steps[0].sources[0]).toMatch(/^https:\/\/kubernetes\.io\//);
    // Steps link to the accounts they name, in this cluster.
    expect(e.identityIds).toEqual({ "system:serviceaccount:payments:ci": ci, "system:serviceaccount:payments:deployer": deployer });
    expect(await escalationOf(db, null, deployer)).toMatchObject({ privilegeLevel: "admin", holdsAdmin: true });
    expect(await escalationOf(db, null, app)).toMatchObject({ privilegeLevel: "standard", reachesAdmin: false, escalation: [] });

    // The person bound with ci is judged the same way: admin through the deployer account.
    const person = await escalationOf(db, null, dev.id);
    expect(person).toMatchObject({ privilegeLevel: "admin", reachesAdmin: true });
    expect(person.escalation[0].steps[0].from).toBe(dev.name);

    const open = await db
      .select()
      .from(findings)
      .where(and(eq(findings.kind, "escalation_to_admin"), eq(findings.status, "open")));
    const forCi = open.find((f) => f.identityId === ci)!;
    expect(forCi).toMatchObject({ severity: "high", systemId: first.systemId });
    expect(forCi.title).toBe("payments/ci can become administrator: runs a pod as a service account (payments/deployer) → holds administrator access");
    expect(open.some((f) => f.identityId === dev.id)).toBe(true);
    // Holding cluster-admin is not an escalation.
    expect(open.some((f) => f.identityId === deployer)).toBe(false);

    // The inventory's filter and level say the same.
    const admin = await makeCaller(db, ["admin"]);
    const listed = await listIdentities(db, admin, { reachesAdmin: "true", q: "payments/" });
    expect(listed.rows.map((r) => r.name).sort()).toEqual(["payments/ci", "payments/deployer"]);

    // Cluster-admin taken from the deployer: ci may still run pods (privileged), the findings resolve.
    await importK8sRbac(db, { cluster: name, documents: [cluster(dev.email!, { fixed: true })] });
    await runEscalationAnalysis(db);
    expect(await escalationOf(db, null, ci)).toMatchObject({ privilegeLevel: "privileged", reachesAdmin: false });
    const [after] = await db.select().from(findings).where(eq(findings.id, forCi.id));
    expect(after.status).toBe("resolved");
  });

  it("a person's level is the verdict raised by what they hold where no analysis looks; a verdict with nothing behind it goes", async () => {
    const db = testDb();
    const dev = await makePerson(db);
    const name = uniq("k8s");
    await importK8sRbac(db, {
      cluster: name,
      documents: [
        {
          kind: "List",
          items: [
            { kind: "ClusterRole", metadata: { name: "view" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }] },
            binding("ClusterRoleBinding", "dev-view", { kind: "ClusterRole", name: "view" }, [{ kind: "User", name: dev.email }]),
          ],
        },
      ],
    });
    await runEscalationAnalysis(db);
    expect(await escalationOf(db, null, dev.id)).toMatchObject({ privilegeLevel: "standard" });
    // Admin where the analysis does not look (an account's permission set granted to the person): the person is admin.
    await makeGrant(db, dev.id, { level: "admin" });
    expect(await escalationOf(db, null, dev.id)).toMatchObject({ privilegeLevel: "admin" });
    const admin = await makeCaller(db, ["admin"]);
    expect((await listIdentities(db, admin, { q: dev.name })).rows[0].privilegeLevel).toBe("admin");

    // The binding goes: so does the verdict.
    await importK8sRbac(db, { cluster: name, documents: [{ kind: "List", items: [] }] });
    await runEscalationAnalysis(db);
    expect(await db.select().from(identityEscalations).where(eq(identityEscalations.identityId, dev.id))).toEqual([]);
  });
});
