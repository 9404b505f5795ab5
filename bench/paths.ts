/**
 * npm run bench:paths — the escalation analysis at the size of a large AWS account.
 *
 * Generates a `get-account-authorization-details` export (seeded, the same on
 * every run) with BENCH_USERS (3,800) users, BENCH_ROLES (6,000) roles and
 * BENCH_GROUPS (200) groups, about 10,000 principals, holding BENCH_POLICIES
 * (50,000) policies, managed and inline, with the mix an old account has:
 * mostly scoped data access, and among it PassRole with compute (Lambda, EC2,
 * ECS, Glue, CodeBuild, CloudFormation), AssumeRole chains through trust
 * policies that name roles, users, the account, other accounts and "*", IAM
 * writes, denies, permissions boundaries and conditions (MFA, source IP,
 * region, external id). Imports it, runs the full analysis, then repeats
 * BENCH_ROUNDS (5) incremental rounds: one customer-managed policy changes
 * (and, as in any fresh export, some roles' RoleLastUsed moves), the export is
 * re-imported and the analysis runs again.
 *
 *   createdb -h 127.0.0.1 -U postgres bench_paths
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_paths npm run bench:paths
 *   dropdb -h 127.0.0.1 -U postgres bench_paths
 *
 * Without DATABASE_URL it runs on PGlite in a temporary directory (removed after).
 * Targets (printed, never asserted): full analysis under 30 s; re-import of one
 * changed policy plus analysis under 2 s.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { count, eq, sql } from "drizzle-orm";
import { openDatabase, resolveTarget, type DatabaseTarget } from "@/db/client";
import { migrate } from "@/db/migrate";
import { findings, identities, identityEscalations } from "@/db/schema";
import { runEscalationAnalysis, type EscalationSummary } from "@/lib/escalation/run";
import { importAwsIam } from "@/lib/ingest/import-aws-iam";
import { installJobs } from "@/lib/runtime/job-runner";
import { useBenchAuditKey } from "./audit-key";
import { ACCOUNT_SIZE, generate, policyDoc, type Stmt } from "./paths-account";
import { percentile } from "./stats";

const { users: USERS, roles: ROLES, groups: GROUPS } = ACCOUNT_SIZE;
const ROUNDS = Math.max(1, Math.min(50, Number(process.env.BENCH_ROUNDS ?? 5)));
const TARGET_FULL_MS = 30_000;
const TARGET_INCREMENTAL_MS = 2_000;

let peakRss = 0;
let peakHeap = 0;
const sampleMemory = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
const sampler = setInterval(sampleMemory, 50);
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t };
}

useBenchAuditKey();
const configured = resolveTarget();
const tempDir = configured.kind === "pglite" && !process.env.DATABASE_URL ? mkdtempSync(path.join(tmpdir(), "bench-paths-")) : null;
const target: DatabaseTarget = tempDir ? { kind: "pglite", dataDir: tempDir } : configured;
const database = await openDatabase(target);
await migrate(database);
await installJobs(database);
const { db } = database;
const [{ n: before }] = await db.select({ n: count() }).from(identities);
if (before > 0)
  console.log(
    `note: the database already holds ${before.toLocaleString("en")} identities; the first import is then a re-import (use an empty database for comparable figures)`,
  );

const g0 = performance.now();
const gen = generate();
const size = Buffer.byteLength(JSON.stringify(gen.doc));
console.log(
  `${target.kind}: generated an export of ${USERS.toLocaleString("en")} users, ${ROLES.toLocaleString("en")} roles, ${GROUPS} groups (${(USERS + ROLES).toLocaleString("en")} principals) and ${gen.policies.toLocaleString("en")} policies (managed and inline), ${mb(size)} of JSON, in ${s(performance.now() - g0)}`,
);

const imported = await timed(() => importAwsIam(db, { authorizationDetails: gen.doc }));
sampleMemory();
const i = imported.value;
console.log(
  `import: ${s(imported.ms)} (identities ${i.identities.created} created; entitlements ${i.entitlements.created.toLocaleString("en")} created; grants ${i.grants.added.toLocaleString("en")} added; ${i.warnings.length} warnings)`,
);

peakRss = 0;
peakHeap = 0;
const full = await timed(() => runEscalationAnalysis(db));
sampleMemory();
const fullPeak = { rss: peakRss, heap: peakHeap };
const f = full.value;
const [{ n: findingsOpen }] = await db
  .select({ n: count() })
  .from(findings)
  .where(sql`${findings.source} = 'escalation' and ${findings.status} = 'open'`);
const [{ n: escalating }] = await db
  .select({ n: count() })
  .from(identityEscalations)
  .where(sql`${identityEscalations.reachesAdmin} and not ${identityEscalations.holdsAdmin}`);
const [{ n: adminLevel }] = await db.select({ n: count() }).from(identityEscalations).where(eq(identityEscalations.privilegeLevel, "admin"));
const phases = (x: EscalationSummary) =>
  Object.entries(x.phases ?? {})
    .map(([k, v]) => `${k} ${s(v)}`)
    .join(", ");
console.log(`full analysis: ${s(full.ms)}; peak RSS ${mb(fullPeak.rss)}, heap ${mb(fullPeak.heap)}`);
console.log(`  phases: ${phases(f)}`);
console.log(
  `  ${f.principals.toLocaleString("en")} principals analysed (${f.recomputed.toLocaleString("en")} computed), ${f.reachAdmin.toLocaleString("en")} reach admin (${escalating.toLocaleString("en")} by escalating rather than holding it; ${adminLevel.toLocaleString("en")} at level admin), ${f.findingsOpen.toLocaleString("en")} findings raised (${findingsOpen.toLocaleString("en")} open)`,
);

console.log(`incremental rounds change ${gen.mutableName}`);
// Incremental rounds: one policy changes (alternately gaining and losing a PassRole to Lambda), some roles were used since.
const analysisMs: number[] = [];
const roundMs: number[] = [];
const rounds: EscalationSummary[] = [];
const original = JSON.parse(JSON.stringify(gen.mutable.Document)) as { Statement: Stmt[] };
for (let round = 1; round <= ROUNDS; round++) {
  const statements =
    round % 2 === 1
      ? [
          ...original.Statement,
          { Sid: `Deploy${round}`, Effect: "Allow" as const, Action: ["lambda:CreateFunction", "lambda:InvokeFunction", "iam:PassRole"], Resource: "*" },
        ]
      : [...original.Statement, { Sid: `Reader${round}`, Effect: "Allow" as const, Action: "s3:GetObject", Resource: `arn:aws:s3:::bench-round-${round}/*` }];
  gen.mutable.Document = policyDoc(statements);
  for (let k = 0; k < 60 && k < gen.lastUsed.length; k++)
    gen.lastUsed[(round * 61 + k * 97) % gen.lastUsed.length].LastUsedDate = new Date(Date.UTC(2026, 10, 21 + round, k % 24)).toISOString();
  const t = performance.now();
  const re = await timed(() => importAwsIam(db, { authorizationDetails: gen.doc }));
  const an = await timed(() => runEscalationAnalysis(db));
  roundMs.push(performance.now() - t);
  analysisMs.push(an.ms);
  rounds.push(an.value);
  console.log(
    `round ${round}: re-import ${s(re.ms)} (entitlements ${re.value.entitlements.updated} updated, identities ${re.value.identities.updated} updated), analysis ${s(an.ms)}: ${an.value.recomputed} principals recomputed, ${an.value.changed} verdicts changed, ${an.value.reachAdmin} reach admin`,
  );
  console.log(
    `  re-import phases: ${Object.entries(re.value.phases ?? {})
      .map(([k, v]) => `${k} ${s(v)}`)
      .join(", ")}`,
  );
  console.log(`  analysis phases: ${phases(an.value)}`);
}
sampleMemory();
analysisMs.sort((a, b) => a - b);
roundMs.sort((a, b) => a - b);
const line = (label: string, measured: number, target: number) =>
  console.log(`${label.padEnd(44)} ${s(measured).padStart(9)}   target < ${s(target)}: ${measured < target ? "met" : "NOT met"}`);
console.log(
  `\nincremental analysis (${ROUNDS} rounds): p50 ${s(percentile(analysisMs, 50))}, max ${s(analysisMs[analysisMs.length - 1])}; re-import + analysis: p50 ${s(percentile(roundMs, 50))}, max ${s(roundMs[roundMs.length - 1])}; principals recomputed per round: ${rounds.map((r) => r.recomputed).join(", ")}`,
);
line("full analysis", full.ms, TARGET_FULL_MS);
line("re-import of one changed policy + analysis", percentile(roundMs, 50), TARGET_INCREMENTAL_MS);
console.log(`peak RSS over the run ${mb(Math.max(peakRss, process.resourceUsage().maxRSS * 1024))}`);
clearInterval(sampler);
await database.close();
if (tempDir) rmSync(tempDir, { recursive: true, force: true });
