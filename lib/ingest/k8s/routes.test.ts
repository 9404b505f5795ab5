import { readFile } from "node:fs/promises";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import * as auditRoute from "@/app/api/v1/imports/k8s-audit/route";
import * as rbacRoute from "@/app/api/v1/imports/k8s-rbac/route";
import { auditLog, systems } from "@/db/schema";
import { getCaller } from "@/lib/auth/auth";
import { makeCaller, makePerson, testDb, uniq } from "@/lib/testing/harness";
import { callRoute } from "@/lib/testing/routes";

vi.mock("@/lib/auth/auth", () => ({ getCaller: vi.fn(async () => null) }));
vi.mock("@/db/client", (importOriginal) => import("@/lib/testing/routes").then((m) => m.onTestDatabase(importOriginal)));

const FIXTURES = path.join(import.meta.dirname, "fixtures");
const list = async (owner: string, admin: string) =>
  JSON.parse((await readFile(path.join(FIXTURES, "rbac-list.json"), "utf8")).replace("OWNER_EMAIL", owner).replace("ADMIN_EMAIL", admin)) as unknown;
const postRbac = (body: unknown) => callRoute(rbacRoute.POST, { path: "/api/v1/imports/k8s-rbac", body });
const postAudit = (cluster: string | null, body: string) =>
  callRoute(auditRoute.POST, { path: "/api/v1/imports/k8s-audit", query: cluster === null ? {} : { cluster }, body, contentType: "application/x-ndjson" });

describe("POST /api/v1/imports/k8s-rbac and k8s-audit", () => {
  it("imports a cluster's RBAC and then its audit events for an admin, audited as the admin", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    vi.mocked(getCaller).mockResolvedValue(admin);
    const person = await makePerson(db);
    const cluster = uniq("api");
    const res = await postRbac({ cluster, lists: [await list(person.email!, person.email!)] });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ cluster, systemCreated: true, serviceAccounts: { created: 3 } });
    const [audit] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "import.k8s_rbac"), eq(auditLog.entityId, res.json.systemId)));
    expect(audit.actorId).toBe(admin.identityId);

    const log = (await readFile(path.join(FIXTURES, "audit.log"), "utf8")).replaceAll("ADMIN_EMAIL", person.email!);
    const usage = await postAudit(cluster, log);
    expect(usage.status).toBe(200);
    expect(usage.json).toMatchObject({ files: 1, records: 11, usage: { inserted: 6, denied: 1 } });
    expect((await postAudit(cluster, log)).json.usage).toEqual({ inserted: 0, duplicates: 6, denied: 0 });
    // Each log import is on the record, as the admin who sent it, with what it stored.
    const imports = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "import.usage"), eq(auditLog.entityId, `k8s-audit:${cluster}`)))
      .orderBy(auditLog.seq);
    expect(imports.map((a) => [a.actorId, (a.after as { usage: unknown }).usage])).toEqual([
      [admin.identityId, { inserted: 6, duplicates: 0, denied: 1 }],
      [admin.identityId, { inserted: 0, duplicates: 6, denied: 0 }],
    ]);
  });

  it("refuses anyone but an admin, and bad bodies field by field, changing nothing", async () => {
    const db = await testDb();
    const cluster = uniq("api");
    const person = await makePerson(db);
    const good = { cluster, lists: [await list(person.email!, person.email!)] };
    vi.mocked(getCaller).mockResolvedValue(await makeCaller(db, ["auditor", "owner"]));
    expect((await postRbac(good)).status).toBe(403);
    expect((await postAudit(cluster, "{}")).status).toBe(403);
    vi.mocked(getCaller).mockResolvedValue(await makeCaller(db, ["admin"]));
    const cases: [unknown, string][] = [
      ["{not json", "_"],
      [{ lists: good.lists }, "cluster"],
      [{ cluster: "a b", lists: good.lists }, "cluster"],
      [{ cluster }, "lists"],
      [{ cluster, lists: [] }, "lists"],
      [{ cluster, lists: [{ kind: "Pod" }] }, "list"],
      [{ cluster, lists: [{ kind: "List", items: [{ kind: "Role", metadata: { name: "x\u0000", namespace: "a" } }] }] }, "lists.0.items.0.metadata.name"],
      [{ ...good, extra: 1 }, "_"],
    ];
    for (const [body, field] of cases) {
      const res = await postRbac(body);
      expect([400, 422], JSON.stringify(body).slice(0, 80)).toContain(res.status);
      if (field !== "_") expect(Object.keys(res.json.error.fieldErrors ?? {}), JSON.stringify(body).slice(0, 80)).toContain(field);
    }
    expect((await postAudit(null, "{}")).status).toBe(422);
    expect((await postAudit(cluster, "{}")).json.error.fieldErrors.cluster).toEqual([expect.stringMatching(/import its RBAC first/)]);
    expect((await postAudit(cluster, "  \n")).status).toBe(422);
    expect(await db.select().from(systems).where(eq(systems.externalId, cluster))).toEqual([]);
  });
});
