import { readFileSync } from "node:fs";
import path from "node:path";
import { and, eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, entitlements, findings, grants, identities, systems } from "@/db/schema";
import type { Db } from "@/db/client";
import { ValidationError } from "@/lib/errors";
import { permissionSetOf } from "@/lib/permissions/sets";
import { runReconciliation } from "@/lib/reconciliation/run";
import { k8sAction } from "@/lib/permissions/k8s/model";
import { makeGrant, makePerson, testDb, uniq } from "@/lib/testing/harness";
import { importK8sRbac } from "./rbac-import";

const fixture = (owner: string, admin: string) =>
  JSON.parse(
    readFileSync(path.join(import.meta.dirname, "fixtures", "rbac-list.json"), "utf8")
      .replace("OWNER_EMAIL", owner)
      .replace("ADMIN_EMAIL", admin),
  ) as {
    items: { kind: string; metadata: { name: string } }[];
  };

async function setUp(db: Db) {
  const owner = await makePerson(db);
  const admin = await makePerson(db);
  return { owner, admin, list: fixture(owner.email!, admin.email!), cluster: uniq("prod") };
}

/** A service account of this import's cluster, by its username. */
const serviceAccount = async (db: Db, systemId: string, user: string) =>
  (
    await db
      .select()
      .from(identities)
      .where(and(eq(identities.systemId, systemId), eq(identities.externalId, user)))
  )[0];

const liveGrants = (db: Db, identityId: string) =>
  db
    .select({ ref: entitlements.externalRef, level: entitlements.privilegeLevel })
    .from(grants)
    .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
    .where(and(eq(grants.identityId, identityId), isNull(grants.revokedAt)))
    .orderBy(entitlements.externalRef);

describe("importing Kubernetes RBAC", () => {
  it("makes service accounts NHIs, roles entitlements with their rules, and bindings grants, scoped as bound", async () => {
    const db = await testDb();
    const { owner, admin, list, cluster } = await setUp(db);
    const s = await importK8sRbac(db, { cluster, documents: [list] });
    expect(s).toMatchObject({
      systemCreated: true,
      serviceAccounts: { created: 3 },
      // Five roles, and the viewer cluster role bound in payments as its own entitlement.
      entitlements: { created: 6 },
      skipped: { ConfigMap: 1 },
    });
    expect(s.warnings).toEqual([
      "Bound but not granted: group platform-admins (its members are the identity provider's).",
      "Bound but not granted: user nobody-we-know (no active person by that email or name).",
    ]);

    const deployer = await serviceAccount(db, s.systemId, "system:serviceaccount:payments:deployer");
    expect(deployer).toMatchObject({ kind: "service_account", name: "payments/deployer", ownerId: owner.id, purpose: "Deploys the payments services from CI" });
    // Its own role in payments, and the viewer role through the payments service-account group.
    expect(await liveGrants(db, deployer.id)).toEqual([
      { ref: "clusterrole:viewer@payments", level: "standard" },
      { ref: "role:payments/secret-reader", level: "privileged" },
    ]);
    const prometheus = await serviceAccount(db, s.systemId, "system:serviceaccount:monitoring:prometheus");
    expect(await liveGrants(db, prometheus.id)).toEqual([{ ref: "clusterrole:viewer", level: "standard" }]);
    expect(await liveGrants(db, admin.id)).toEqual([{ ref: "clusterrole:cluster-admin", level: "admin" }]);
    // The aggregated role holds the rules of the roles its selector matches.
    const [editor] = await db
      .select()
      .from(entitlements)
      .where(and(eq(entitlements.systemId, s.systemId), eq(entitlements.externalRef, "clusterrole:editor")));
    expect(editor.privilegeLevel).toBe("privileged");

    // Approval follows the binding's scope.
    const set = await permissionSetOf(db, deployer.id);
    const approves = (namespace: string, verb: string, resource: string, group = "") => set.approvalFor(k8sAction({ namespace, verb, group, resource }));
    expect(approves("payments", "get", "secrets")).not.toBeNull();
    expect(approves("default", "get", "secrets")).toBeNull();
    expect(approves("payments", "list", "deployments", "apps")).not.toBeNull();
    expect(approves("payments", "delete", "deployments", "apps")).toBeNull();
    // Held since the binding was made: older than the review window and never used, it is approved but unused at once.
    const [held] = await db
      .select({ startsAt: grants.startsAt })
      .from(grants)
      .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
      .where(and(eq(grants.identityId, deployer.id), eq(entitlements.externalRef, "role:payments/secret-reader")));
    expect(held.startsAt).toEqual(new Date("2026-03-02T10:05:00Z"));
    await runReconciliation(db);
    const unused = await db
      .select({ title: findings.title, severity: findings.severity })
      .from(findings)
      .where(and(eq(findings.identityId, deployer.id), eq(findings.kind, "approved_unused"), eq(findings.status, "open")));
    expect(unused).toEqual([{ title: "payments/secret-reader not used in 90 days", severity: "medium" }]);
    const adminSet = await permissionSetOf(db, admin.id);
    expect(adminSet.approvalFor(k8sAction({ namespace: null, verb: "get", group: "", resource: "nodes" }))).not.toBeNull();
  });

  it("reads overlapping lists as one inventory, and binds users to people, never to another system's account of that name", async () => {
    const db = await testDb();
    const { list, cluster, admin } = await setUp(db);
    const [aws] = await db
      .insert(systems)
      .values({ name: uniq("aws"), kind: "aws_account" })
      .returning();
    // An IAM user is a human of its account, named by its login: here the very name the binding uses.
    const [iamUser] = await db
      .insert(identities)
      .values({ kind: "human", name: admin.email!, displayName: admin.email!, systemId: aws.id, externalId: uniq("arn") })
      .returning();
    const first = await importK8sRbac(db, { cluster, documents: [list, list] });
    expect(first.serviceAccounts).toMatchObject({ created: 3 });
    const bound = await db
      .select({ id: grants.identityId })
      .from(grants)
      .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
      .where(eq(entitlements.systemId, first.systemId));
    expect(bound.map((b) => b.id)).toContain(admin.id);
    expect(bound.map((b) => b.id)).not.toContain(iamUser.id);
  });

  it("changes nothing when imported again, and ends what left the cluster", async () => {
    const db = await testDb();
    const { list, cluster } = await setUp(db);
    await importK8sRbac(db, { cluster, documents: [list] });
    const again = await importK8sRbac(db, { cluster, documents: [list] });
    expect(again).toMatchObject({
      systemCreated: false,
      serviceAccounts: { created: 0, updated: 0, unchanged: 3, removed: 0 },
      entitlements: { created: 0, updated: 0, unchanged: 6, removed: 0 },
      grants: { added: 0, removed: 0 },
    });

    const fewer = {
      ...list,
      items: list.items.filter((i) => !(i.kind === "RoleBinding" && i.metadata.name === "deployer-secrets") && i.metadata.name !== "reporter"),
    };
    const third = await importK8sRbac(db, { cluster, documents: [fewer] });
    // The deployer's secret-reader binding, and the reporter (its viewer grant with it).
    expect(third).toMatchObject({ serviceAccounts: { removed: 1 }, grants: { removed: 2 } });
    expect((await serviceAccount(db, third.systemId, "system:serviceaccount:payments:reporter")).status).toBe("decommissioned");
    const deployer = await serviceAccount(db, third.systemId, "system:serviceaccount:payments:deployer");
    expect((await liveGrants(db, deployer.id)).map((g) => g.ref)).toEqual(["clusterrole:viewer@payments"]);
  });

  it("refuses a malformed export, naming the item and field, and changes nothing", async () => {
    const db = await testDb();
    const { list, cluster } = await setUp(db);
    const before = (await db.select({ id: auditLog.id }).from(auditLog)).length;
    const broken = JSON.parse(JSON.stringify(list)) as { items: Record<string, unknown>[] };
    broken.items[8] = { ...broken.items[8], roleRef: { kind: "Secret", name: "x" } };
    await expect(importK8sRbac(db, { cluster, documents: [broken] })).rejects.toMatchObject({
      fieldErrors: { list: [expect.stringMatching(/^Item 9 \(RoleBinding\), roleRef\.kind: /)] },
    });
    await expect(importK8sRbac(db, { cluster, documents: [{ kind: "Pod" }] })).rejects.toBeInstanceOf(ValidationError);
    await expect(importK8sRbac(db, { cluster: "bad name!", documents: [list] })).rejects.toMatchObject({ fieldErrors: { cluster: [expect.any(String)] } });
    const nul = JSON.parse(JSON.stringify(list)) as { items: { metadata: { name: string } }[] };
    nul.items[0].metadata.name = "dep\u0000loyer";
    await expect(importK8sRbac(db, { cluster, documents: [nul] })).rejects.toBeInstanceOf(ValidationError);
    expect((await db.select({ id: auditLog.id }).from(auditLog)).length).toBe(before);
    // Not even the cluster's system was created.
    expect(await db.select().from(systems).where(eq(systems.externalId, cluster))).toEqual([]);
  });

  it("adopts a cluster's system entered by hand, leaving its hand-made identities and grants alone", async () => {
    const db = await testDb();
    const { list, cluster } = await setUp(db);
    const [system] = await db
      .insert(systems)
      .values({ name: `k8s-${cluster}`, kind: "kubernetes" })
      .returning();
    const [operator] = await db
      .insert(identities)
      .values({ kind: "service_account", name: "ops/operator", displayName: "operator", externalId: "system:serviceaccount:ops:operator", systemId: system.id })
      .returning();
    const { grant } = await makeGrant(db, operator.id, { systemId: system.id });
    const s = await importK8sRbac(db, { cluster, documents: [list] });
    expect(s).toMatchObject({ systemId: system.id, systemCreated: false, serviceAccounts: { created: 3, removed: 0 }, grants: { removed: 0 } });
    const [still] = await db.select().from(identities).where(eq(identities.id, operator.id));
    expect(still.status).toBe("active");
    const [live] = await db.select().from(grants).where(eq(grants.id, grant.id));
    expect(live.revokedAt).toBeNull();
  });
});
