/**
 * npm run bench:ingest:k8s — Kubernetes audit log ingestion into PostgreSQL.
 *
 * Imports a cluster's RBAC (BENCH_NAMESPACES namespaces, default 40, of 25
 * service accounts each, with reader, deployer and cluster-wide viewer
 * bindings), then generates an API server audit log (BENCH_RECORDS lines,
 * default 1,000,000, gzipped JSON lines of 20,000) as the log backend writes
 * it: every request at RequestReceived and ResponseComplete, ~3% refused, the
 * control plane's own requests among them. Prints, from the same run, the rate
 * of reading and classifying alone (no database) and the import's rate, their
 * ratio, and where the CPU went per stored event.
 *
 *   createdb -h 127.0.0.1 -U postgres bench_k8s
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_k8s npm run bench:ingest:k8s
 *
 * Targets (printed, never asserted): import at least 90% of the read-and-classify rate;
 * database CPU per stored event under 8 µs.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { gzip as gzipCb, constants as zlibConstants } from "node:zlib";
import { openDatabase, resolveTarget } from "@/db/client";
import { migrate } from "@/db/migrate";
import { classifyAuditEvent, readK8sAudit } from "@/lib/ingest/k8s/audit";
import { importK8sAudit } from "@/lib/ingest/k8s/audit-import";
import { importK8sRbac } from "@/lib/ingest/k8s/rbac-import";
import { installJobs } from "@/lib/runtime/job-runner";
import { useBenchAuditKey } from "./audit-key";
import { seeded } from "./random";
import { machineBusySeconds } from "./stats";

const gzip = promisify(gzipCb);
const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const NAMESPACES = Number(process.env.BENCH_NAMESPACES ?? 40);
const PER_NAMESPACE = 25;
const LINES_PER_FILE = 20_000;
const CLUSTER = `bench-${Date.now().toString(36)}`;

const target = resolveTarget();
if (target.kind !== "postgres") {
  console.error("bench:ingest:k8s measures PostgreSQL: set DATABASE_URL=postgres://… (a database of its own).");
  process.exit(2);
}

const random = seeded(20261203);
const rand = random.next;
const pick = random.pick;

const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `team-${i}`);
const accounts = namespaces.flatMap((ns) => Array.from({ length: PER_NAMESPACE }, (_, i) => ({ ns, name: `svc-${i}` })));
const items: unknown[] = [
  ...accounts.map((a) => ({ kind: "ServiceAccount", metadata: { name: a.name, namespace: a.ns } })),
  { kind: "ClusterRole", metadata: { name: "viewer" }, rules: [{ apiGroups: [""], resources: ["pods", "services"], verbs: ["get", "list", "watch"] }] },
  ...namespaces.flatMap((ns) => [
    {
      kind: "Role",
      metadata: { name: "reader", namespace: ns },
      rules: [{ apiGroups: [""], resources: ["pods", "configmaps", "services"], verbs: ["get", "list", "watch"] }],
    },
    {
      kind: "Role",
      metadata: { name: "deployer", namespace: ns },
      rules: [
        { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "create", "update", "patch"] },
        { apiGroups: [""], resources: ["secrets"], verbs: ["get"] },
      ],
    },
    {
      kind: "RoleBinding",
      metadata: { name: "readers", namespace: ns },
      roleRef: { kind: "Role", name: "reader" },
      subjects: [{ kind: "Group", name: `system:serviceaccounts:${ns}` }],
    },
    {
      kind: "RoleBinding",
      metadata: { name: "deployers", namespace: ns },
      roleRef: { kind: "Role", name: "deployer" },
      subjects: Array.from({ length: 5 }, (_, i) => ({ kind: "ServiceAccount", name: `svc-${i}`, namespace: ns })),
    },
  ]),
  {
    kind: "ClusterRoleBinding",
    metadata: { name: "viewers" },
    roleRef: { kind: "ClusterRole", name: "viewer" },
    subjects: [{ kind: "ServiceAccount", name: "svc-0", namespace: "team-0" }],
  },
];

const requests = [
  { verb: "get", resource: "pods" },
  { verb: "list", resource: "pods" },
  { verb: "watch", resource: "configmaps" },
  { verb: "get", resource: "secrets" },
  { verb: "patch", resource: "deployments", apiGroup: "apps" },
  { verb: "create", resource: "pods", subresource: "exec" },
  { verb: "delete", resource: "services" },
];

async function generate(dir: string) {
  let bytes = 0;
  const start = Date.now() - 3 * 86_400_000;
  for (let f = 0, n = 0; n < RECORDS; f++) {
    const lines: string[] = [];
    for (let i = 0; i < LINES_PER_FILE && n < RECORDS; i += 2, n += 2) {
      const a = pick(accounts);
      const control = rand() < 0.05;
      const r = pick(requests);
      const user = control ? "system:kube-controller-manager" : `system:serviceaccount:${a.ns}:${a.name}`;
      const t = new Date(start + n * 100).toISOString();
      const base = {
        kind: "Event",
        apiVersion: "audit.k8s.io/v1",
        level: "Metadata",
        auditID: `${CLUSTER}-${n}`,
        requestURI: `/api/v1/namespaces/${a.ns}/${r.resource}`,
        verb: r.verb,
        user: { username: user, groups: ["system:serviceaccounts", "system:authenticated"] },
        sourceIPs: ["10.0.0.7"],
        userAgent: "controller/v1.31",
        objectRef: { resource: r.resource, namespace: a.ns, apiGroup: r.apiGroup, subresource: r.subresource, apiVersion: "v1" },
        requestReceivedTimestamp: t,
      };
      lines.push(JSON.stringify({ ...base, stage: "RequestReceived", stageTimestamp: t }));
      lines.push(JSON.stringify({ ...base, stage: "ResponseComplete", stageTimestamp: t, responseStatus: { code: rand() < 0.03 ? 403 : 200 } }));
    }
    const body = await gzip(lines.join("\n"), { level: zlibConstants.Z_BEST_SPEED });
    bytes += body.length;
    await writeFile(path.join(dir, `audit-${String(f).padStart(4, "0")}.log.gz`), body);
  }
  return bytes;
}

useBenchAuditKey();
const database = await openDatabase(target);
await migrate(database);
await installJobs(database);
const { db } = database;
const rbac = await importK8sRbac(db, { cluster: CLUSTER, documents: [{ kind: "List", items }] });
console.log(`cluster ${CLUSTER}: ${rbac.serviceAccounts.created} service accounts, ${rbac.entitlements.created} entitlements, ${rbac.grants.added} grants`);
const dir = await mkdtemp(path.join(tmpdir(), "bench-k8s-audit-"));
const g0 = performance.now();
const bytes = await generate(dir);
console.log(
  `generated ${RECORDS.toLocaleString("en")} audit lines (${(bytes / 1_048_576).toFixed(0)} MB gzipped) in ${((performance.now() - g0) / 1000).toFixed(1)} s`,
);

// Reading and classifying alone: the ceiling of this machine for this source.
const r0 = performance.now();
let read = 0;
for await (const file of readK8sAudit([dir]))
  if ("records" in file)
    for (const record of file.records) {
      classifyAuditEvent(record);
      read++;
    }
const readRate = read / ((performance.now() - r0) / 1000);

const cpu0 = process.cpuUsage();
const busy0 = machineBusySeconds();
const s = await importK8sAudit(
  db,
  { cluster: CLUSTER, paths: [dir] },
  {
    batchSize: process.env.BENCH_BATCH ? Number(process.env.BENCH_BATCH) : undefined,
    writers: process.env.BENCH_WRITERS ? Number(process.env.BENCH_WRITERS) : undefined,
  },
);
const u = process.cpuUsage(cpu0);
const importerCpu = (u.user + u.system) / 1e6;
const dbCpu = (machineBusySeconds() ?? Number.NaN) - (busy0 ?? Number.NaN) - importerCpu;
const secs = s.elapsedMs / 1000;
const importRate = s.records / secs;
const ratio = importRate / readRate;
const dbPerEvent = (dbCpu * 1e6) / Math.max(1, s.usage.inserted);
console.log(
  `import k8s-audit: ${s.records.toLocaleString("en")} lines in ${secs.toFixed(1)} s; ${s.usage.inserted.toLocaleString("en")} events stored (${s.usage.denied.toLocaleString("en")} denied); skipped ${Object.entries(
    s.skipped,
  )
    .map(([k, n]) => `${n.toLocaleString("en")} ${k}`)
    .join(", ")}`,
);
console.log(
  `  reading and classifying alone: ${Math.round(readRate).toLocaleString("en")} lines/s; import: ${Math.round(importRate).toLocaleString("en")} lines/s`,
);
console.log(`  import / read-and-classify: ${(ratio * 100).toFixed(0)}% (target ≥ 90%: ${ratio >= 0.9 ? "met" : "NOT met"})`);
console.log(
  `  CPU: importer ${importerCpu.toFixed(1)} s, rest of the machine (PostgreSQL) ${dbCpu.toFixed(1)} s of ${os.availableParallelism()} cores; database ${dbPerEvent.toFixed(1)} µs per stored event (target < 8 µs: ${dbPerEvent < 8 ? "met" : "NOT met"})`,
);
await rm(dir, { recursive: true, force: true });
await database.close();
