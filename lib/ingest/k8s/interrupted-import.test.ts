import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { queryRows } from "@/db/rows";
import { testDb, uniq } from "@/lib/testing/harness";
import { importK8sAudit } from "./audit-import";
import { importK8sRbac } from "./rbac-import";

// The CLI in a process of its own needs a database both can open: a PostgreSQL server.
const SERVER = process.env.DATABASE_URL?.startsWith("postgres") ? process.env.DATABASE_URL : undefined;
const ROOT = path.resolve(import.meta.dirname, "../../..");
const NAMESPACES = 8;
const FILES = 40;
const PER_FILE = 4000;

const rbac = {
  kind: "List",
  items: [
    ...Array.from({ length: NAMESPACES }, (_, n) => [
      ...Array.from({ length: 5 }, (_, i) => ({ kind: "ServiceAccount", metadata: { name: `svc-${i}`, namespace: `ns-${n}` } })),
      { kind: "Role", metadata: { name: "reader", namespace: `ns-${n}` }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }] },
      {
        kind: "RoleBinding",
        metadata: { name: "readers", namespace: `ns-${n}` },
        roleRef: { kind: "Role", name: "reader" },
        subjects: [{ kind: "Group", name: `system:serviceaccounts:ns-${n}` }],
      },
    ]).flat(),
  ],
};

/** One audit log, FILES gzipped files of PER_FILE responses over the last two days, ~3% refused and some verbs nobody was granted. */
async function writeLog(dir: string) {
  const start = Date.now() - 2 * 86_400_000;
  for (let f = 0, k = 0; f < FILES; f++) {
    const lines: string[] = [];
    for (let i = 0; i < PER_FILE; i++, k++) {
      const ns = `ns-${k % NAMESPACES}`;
      const verb = ["get", "list", "delete"][k % 3];
      lines.push(
        JSON.stringify({
          kind: "Event",
          apiVersion: "audit.k8s.io/v1",
          level: "Metadata",
          auditID: `run-${k}`,
          stage: "ResponseComplete",
          verb,
          user: { username: `system:serviceaccount:${ns}:svc-${k % 5}` },
          objectRef: { resource: "pods", namespace: ns, apiVersion: "v1" },
          responseStatus: { code: k % 31 === 0 ? 403 : 200 },
          stageTimestamp: new Date(start + k * 1000).toISOString(),
        }),
      );
    }
    await writeFile(path.join(dir, `audit-${String(f).padStart(3, "0")}.log.gz`), gzipSync(lines.join("\n")));
  }
}

/** Everything an import leaves in the roll-ups for a cluster, by names (two clusters' rows compare equal). */
async function rollupsOf(db: Db, systemId: string) {
  const mine = sql`(select id from identities where system_id = ${systemId})`;
  return {
    events: await queryRows(db, sql`select count(*)::int as n from usage_events where identity_id in ${mine}`),
    rollups: await queryRows(
      db,
      sql`select i.name as who, e.name as what, r.success_count, r.denied_count, r.first_used_at::text, r.last_used_at::text, r.last_denied_at::text
          from usage_rollups r join identities i on i.id = r.identity_id join entitlements e on e.id = r.entitlement_id
          where r.identity_id in ${mine} order by 1, 2`,
    ),
    daily: await queryRows(
      db,
      sql`select i.name as who, e.name as what, d.day::text, d.success_count, d.denied_count, d.hour_mask
          from usage_daily d join identities i on i.id = d.identity_id join entitlements e on e.id = d.entitlement_id
          where d.identity_id in ${mine} order by 1, 2, 3`,
    ),
    actions: await queryRows(
      db,
      sql`select i.name as who, a.action, a.day::text, a.success_count, a.denied_count, a.first_at::text, a.last_at::text, a.last_success_at::text
          from usage_action_daily a join identities i on i.id = a.identity_id
          where a.identity_id in ${mine} order by 1, 2, 3`,
    ),
    lastUsed: await queryRows(db, sql`select name, last_used_at::text from identities where system_id = ${systemId} order by 1`),
  };
}

describe("an import killed midway", () => {
  it.skipIf(!SERVER)(
    "kill -9 during `gov import k8s-audit`, then the same import again, leaves exactly what one clean import leaves",
    async () => {
      const db = await testDb();
      const killed = uniq("killed");
      const clean = uniq("clean");
      const a = await importK8sRbac(db, { cluster: killed, documents: [rbac] });
      const b = await importK8sRbac(db, { cluster: clean, documents: [rbac] });
      const dir = await mkdtemp(path.join(tmpdir(), "k8s-killed-"));
      try {
        await writeLog(dir);
        const stored = async () =>
          (await queryRows<{ n: number }>(db, sql`select count(*)::int as n from usage_events where source = ${`k8s-audit:${killed}`}`))[0].n;

        const child = spawn(process.execPath, [path.join(ROOT, "bin/gov.mjs"), "import", "k8s-audit", "--cluster", killed, dir], {
          cwd: ROOT,
          env: { ...process.env, DATABASE_URL: SERVER },
          stdio: "ignore",
        });
        const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on("exit", (code, signal) => resolve(signal ?? code)));
        // Killed once its first batch is in, while others are on their way.
        const deadline = Date.now() + 60_000;
        while ((await stored()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        child.kill("SIGKILL");
        expect(await exited).toBe("SIGKILL");
        // A statement the server was running when its client died still commits: wait until nothing more lands.
        let before = await stored();
        for (let settled = 0; settled < 10;) {
          await new Promise((r) => setTimeout(r, 150));
          const now = await stored();
          settled = now === before ? settled + 1 : 0;
          before = now;
        }
        expect(before).toBeGreaterThan(0);
        expect(before).toBeLessThan(FILES * PER_FILE);

        const rerun = await importK8sAudit(db, { cluster: killed, paths: [dir] });
        expect(rerun.usage.inserted + rerun.usage.duplicates).toBe(FILES * PER_FILE);
        expect(rerun.usage.duplicates).toBe(before);
        const once = await importK8sAudit(db, { cluster: clean, paths: [dir] });
        expect(once.usage).toMatchObject({ inserted: FILES * PER_FILE, duplicates: 0 });

        const [left, right] = [await rollupsOf(db, a.systemId), await rollupsOf(db, b.systemId)];
        expect(left.events).toEqual([{ n: FILES * PER_FILE }]);
        expect(left).toEqual(right);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    180_000,
  );
});
