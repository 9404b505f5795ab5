import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { entitlements, findings, identities, usageRollups } from "@/db/schema";
import type { Db } from "@/db/client";
import { reconcileIdentity } from "@/lib/reconciliation/actions";
import { runReconciliation } from "@/lib/reconciliation/run";
import { makePerson, testDb, uniq } from "@/lib/testing/harness";
import { importK8sAudit } from "./audit-import";
import { importK8sRbac } from "./rbac-import";

const FIXTURES = path.join(import.meta.dirname, "fixtures");

/** A cluster imported from the RBAC fixture, and the audit log fixture for it in a directory of its own (plain and gzipped). */
async function cluster(db: Db) {
  const owner = await makePerson(db);
  const admin = await makePerson(db);
  const name = uniq("prod");
  const rbac = (await readFile(path.join(FIXTURES, "rbac-list.json"), "utf8")).replace("OWNER_EMAIL", owner.email!).replace("ADMIN_EMAIL", admin.email!);
  const { systemId } = await importK8sRbac(db, { cluster: name, documents: [JSON.parse(rbac)] });
  // The fixture's requests were made two days ago, whenever the test runs: inside every window it is judged in.
  const day = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
  const log = (await readFile(path.join(FIXTURES, "audit.log"), "utf8")).replaceAll("ADMIN_EMAIL", admin.email!).replaceAll("2026-11-20", day);
  const dir = await mkdtemp(path.join(tmpdir(), "k8s-audit-"));
  const lines = log.trimEnd().split("\n");
  await writeFile(path.join(dir, "audit.log"), lines.slice(0, 6).join("\n"));
  await writeFile(path.join(dir, "audit-2026-11-20T10-30-00.log.gz"), gzipSync(lines.slice(6).join("\n")));
  await writeFile(path.join(dir, "README.txt"), "not a log");
  const sa = async (user: string) =>
    (
      await db
        .select()
        .from(identities)
        .where(and(eq(identities.systemId, systemId), eq(identities.externalId, user)))
    )[0];
  return { name, dir, systemId, admin, sa };
}

describe("importing Kubernetes audit logs", () => {
  it("counts each request once at its response, attributes it to the binding that allows it, and reports the rest", async () => {
    const db = await testDb();
    const { name, dir, systemId, admin, sa } = await cluster(db);
    const s = await importK8sAudit(db, { cluster: name, paths: [dir] });
    expect(s).toMatchObject({
      files: 2,
      records: 11,
      usage: { inserted: 6, duplicates: 0, denied: 1 },
      skipped: { "not the response stage": 1, "control plane or node": 1, "unknown-principal": 1, anonymous: 1, "unreadable line": 1 },
      unknownPrincipals: [{ principal: "mallory@example.com", records: 1 }],
    });

    const deployer = await sa("system:serviceaccount:payments:deployer");
    const [secretReader] = await db
      .select()
      .from(entitlements)
      .where(and(eq(entitlements.systemId, systemId), eq(entitlements.externalRef, "role:payments/secret-reader")));
    const [rollup] = await db
      .select()
      .from(usageRollups)
      .where(and(eq(usageRollups.identityId, deployer.id), eq(usageRollups.entitlementId, secretReader.id)));
    expect(rollup.successCount).toBe(1);

    const r = await reconcileIdentity(db, { identity: deployer.id });
    const status = Object.fromEntries(r.actions.map((a) => [a.action, a.status]));
    expect(status).toMatchObject({
      "payments:get:core/secrets": "used",
      "payments:list:core/secrets": "unused",
      "payments:delete:apps/deployments": "unapproved",
      "payments:create:core/pods/exec": "denied",
    });
    // A person's requests are theirs, attributed to the cluster-admin binding.
    const adminView = await reconcileIdentity(db, { identity: admin.id });
    expect(adminView.actions.find((a) => a.action === ":get:core/nodes")).toMatchObject({ status: "used", approvedBy: "cluster-admin" });

    const again = await importK8sAudit(db, { cluster: name, paths: [dir] });
    expect(again.usage).toEqual({ inserted: 0, duplicates: 6, denied: 0 });
  });

  it("raises the unapproved use of a privileged Kubernetes action as a finding", async () => {
    const db = await testDb();
    const { name, dir, sa } = await cluster(db);
    await importK8sAudit(db, { cluster: name, paths: [dir] });
    // Now: the grants the RBAC import recorded start at the import, after the logged requests, as in life.
    await runReconciliation(db);
    const deployer = await sa("system:serviceaccount:payments:deployer");
    const raised = await db.select().from(findings).where(eq(findings.identityId, deployer.id));
    const byActions = (kind: string) => raised.find((f) => f.kind === kind && f.status === "open" && f.key.endsWith(":actions"));
    expect(byActions("used_without_approval")).toMatchObject({
      severity: "high",
      details: { actions: [{ action: "payments:delete:apps/deployments", count: 1 }] },
    });
    expect(byActions("denied_attempt")).toMatchObject({
      details: { actions: [{ action: "payments:create:core/pods/exec" }] },
    });
  });

  it("refuses a cluster the inventory does not hold, or a bad name, before reading anything", async () => {
    const db = await testDb();
    await expect(importK8sAudit(db, { cluster: uniq("nowhere"), paths: ["/nonexistent"] })).rejects.toMatchObject({
      fieldErrors: { cluster: [expect.stringMatching(/import its RBAC first/)] },
    });
    await expect(importK8sAudit(db, { cluster: "../etc", paths: [] })).rejects.toMatchObject({ fieldErrors: { cluster: [expect.any(String)] } });
  });
});
