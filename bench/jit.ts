/**
 * npm run bench:jit — drives just-in-time elevation (request → approve →
 * active → release) through the HTTP API of a production build on
 * PostgreSQL with BENCH_CLIENTS concurrent clients (default 50), then measures
 * how long after a grant's expires_at it is gone from effective access, gone
 * from the active-grants list and recorded as expired by the durable job.
 *
 * Use a fresh database; the server seeds the demo organisation into it:
 *   psql postgres://postgres@127.0.0.1:5432/postgres -c 'create database bench_jit'
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_jit npm run bench:jit
 *
 * It builds into .next-bench (NEXT_DIST_DIR, so the e2e suite's .next is left
 * alone; BENCH_SKIP_BUILD=1 reuses the last build), starts `next start` on a
 * free port from BENCH_PORT (default 3200) as a child process group, sets up
 * 50 NHIs with API tokens, an entitlement and an eligibility policy directly
 * in the database, signs in as the demo approver over HTTP, runs, and stops
 * the server, also on failure.
 *
 * Knobs: BENCH_CLIENTS (50), BENCH_CYCLES per client (20), BENCH_WARMUP
 * cycles per client (2), BENCH_SOLO_CYCLES of one client alone, for the unloaded
 * service time (25), BENCH_EXPIRY_GRANTS (20; 0 skips the expiry phase), BENCH_PORT (3200),
 * BENCH_PACED_THINK_MS (5000: a second, paced run whose clients pause that long on
 * average between cycles; 0 skips it), BENCH_SKIP_BUILD=1, BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
 * to profile the server). The server inherits DATABASE_POOL_SIZE / JOBS_POOL_SIZE.
 *
 * It also measures, over BENCH_CREDENTIAL_CYCLES (30) cycles of one client per
 * target, the time from an approval to a usable short-lived credential:
 * approve, hand-out (POST …/credential) and a first use. The targets: a
 * PostgreSQL server that authenticates roles by password, named by
 * BENCH_PG_TARGET_URL (or CREDENTIAL_TEST_PG_URL; e.g. the cluster .ci/run
 * starts; first use: a login that reads a table); an sshd and a slapd the bench
 * starts on loopback ports, as the tests do, where openssh-server (as root) and
 * slapd are installed (first use: sshd accepting the certificate, the ssh
 * session then run to its end; a bind).
 *
 * The targets (p95 under 100 ms, expiry lag under 5 s, approval to usable
 * credential p95 under 300 ms) live here only, in the printed report: they are not tests.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { eq, inArray, sql } from "drizzle-orm";
import postgres from "postgres";
import { openDatabase, resolveTarget, type Database } from "@/db/client";
import { queryRows } from "@/db/rows";
import { apiTokens, connectors, entitlements, identities, jitRequests, systems } from "@/db/schema";
import { personas } from "@/db/seed/personas";
import { findHumanByEmail, resolveCaller, type Caller } from "@/lib/caller";
import { issueToken } from "@/lib/auth/tokens";
import { createConnector } from "@/lib/connectors/admin";
import { sshConfig, trustedCaKeys } from "@/lib/connectors/ssh";
import { sshdAvailable, startSshd } from "@/lib/testing/sshd";
import { groupDn as slapdGroup, slapdAvailable, startSlapd } from "@/lib/testing/slapd";
import { createPolicy } from "@/lib/jit/policies";
import { percentile } from "./stats";
import { useBenchAuditKey } from "./audit-key";

const TARGET_P95_MS = 100;
const TARGET_EXPIRY_LAG_MS = 5_000;
const TARGET_CREDENTIAL_P95_MS = 300;
const DIST_DIR = ".next-bench";
const POLL_MS = 100;
const GIVE_UP_AFTER_MS = 90_000;

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a non-negative number`);
  return Math.floor(v);
};
const CLIENTS = Math.max(1, num("BENCH_CLIENTS", 50));
const CYCLES = Math.max(1, num("BENCH_CYCLES", 20));
const WARMUP = num("BENCH_WARMUP", 2);
const SOLO_CYCLES = Math.max(1, num("BENCH_SOLO_CYCLES", 25));
const PACED_THINK_MS = num("BENCH_PACED_THINK_MS", 5000);
const EXPIRY_GRANTS = Math.min(CLIENTS, num("BENCH_EXPIRY_GRANTS", 20));
const PORT_FROM = num("BENCH_PORT", 3200);
const PG_TARGET = process.env.BENCH_PG_TARGET_URL ?? process.env.CREDENTIAL_TEST_PG_URL;
const CREDENTIAL_CYCLES = Math.max(1, num("BENCH_CREDENTIAL_CYCLES", 30));
const SKIP_BUILD = process.env.BENCH_SKIP_BUILD === "1";

const root = process.cwd();
// Other work on the machine skews every figure; the report says how busy it was before the bench began.
const loadAtStart = os.loadavg()[0];
const log = (...args: unknown[]) => console.log(...args);

// ---------------------------------------------------------------- statistics

const ms = (v: number, width = 8) => (Number.isNaN(v) ? "—" : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)}`).padStart(width);
const secs = (v: number, width = 8) => (Number.isNaN(v) ? "—" : `${(v / 1000).toFixed(2)} s`).padStart(width);

// ---------------------------------------------------------------- the server

function freePort(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, () => probe.close(() => resolve(true)));
  });
}

async function pickPort(from: number) {
  for (let p = from; p < from + 100; p++) if (await freePort(p)) return p;
  throw new Error(`no free port in ${from}..${from + 99}`);
}

const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");

function run(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, ...args], { cwd: root, env, stdio: "inherit" });
    child.once("error", reject);
    child.once("exit", (code, signal) => (code === 0 ? resolve() : reject(new Error(`next ${args.join(" ")} failed (${signal ?? `exit ${code}`})`))));
  });
}

/**
 * `next build` rewrites tsconfig.json and next-env.d.ts to point at its distDir;
 * the bench's build must not leave .next-bench references behind for everyone
 * else's type checks, so both files are put back as they were.
 */
async function build(env: NodeJS.ProcessEnv) {
  const keep = ["tsconfig.json", "next-env.d.ts"]
    .map((f) => path.join(root, f))
    .filter(existsSync)
    .map((f) => ({ f, text: readFileSync(f, "utf8") }));
  const t = performance.now();
  log(`building into ${DIST_DIR} (BENCH_SKIP_BUILD=1 to reuse the last build)…`);
  try {
    await run(["build"], env);
  } finally {
    for (const { f, text } of keep) if (readFileSync(f, "utf8") !== text) writeFileSync(f, text);
  }
  log(`built in ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
}

type Server = { child: ChildProcess; url: string; port: number; logFile: string; tail: string[]; exited: Promise<string> };

async function startServer(env: NodeJS.ProcessEnv): Promise<Server> {
  const port = await pickPort(PORT_FROM);
  mkdirSync(path.join(root, DIST_DIR), { recursive: true });
  const logFile = path.join(root, DIST_DIR, "bench-server.log");
  const out = createWriteStream(logFile);
  // Its own process group, so stopping it also stops anything it spawned.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, nextBin, "start", "-p", String(port)], {
    cwd: root,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const tail: string[] = [];
  const keepTail = (chunk: Buffer) => {
    out.write(chunk);
    tail.push(...chunk.toString().split("\n").filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 40));
  };
  child.stdout.on("data", keepTail);
  child.stderr.on("data", keepTail);
  const exited = new Promise<string>((resolve) => child.once("exit", (code, signal) => resolve(signal ?? `exit ${code}`)));
  return { child, url: `http://127.0.0.1:${port}`, port, logFile, tail, exited };
}

async function waitForHealth(server: Server, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  let gone = null as string | null;
  void server.exited.then((why) => (gone = why));
  while (Date.now() < deadline) {
    if (gone) throw new Error(`the server stopped before it was ready (${gone})`);
    if (server.tail.some((line) => line.includes("error occurred while loading instrumentation hook")))
      throw new Error("the server failed to start (migrations, jobs or seeding): see its output below");
    try {
      const res = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(5_000) });
      if (res.ok && ((await res.json()) as { ok?: boolean }).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
  throw new Error(`the server did not answer /api/health within ${timeoutMs / 1000} s`);
}

async function stopServer(server: Server | null) {
  if (!server?.child.pid || server.child.exitCode !== null || server.child.signalCode !== null) return;
  const group = -server.child.pid;
  try {
    process.kill(group, "SIGTERM");
  } catch {
    return;
  }
  const stopped = await Promise.race([server.exited.then(() => true), sleep(10_000).then(() => false)]);
  if (!stopped) {
    try {
      process.kill(group, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** CPU seconds the server process has used (Linux only; null elsewhere). */
function serverCpuSeconds(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime, stime, cutime, cstime are fields 14..17 (1-based); after the comm they start at index 11.
    const ticks = fields.slice(11, 15).reduce((a, b) => a + Number(b), 0);
    return ticks / 100;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- HTTP

type CallType = "create request" | "approve" | "read request" | "release";
const CALL_TYPES: CallType[] = ["create request", "approve", "read request", "release"];

class HttpError extends Error {
  constructor(
    readonly call: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${call}: HTTP ${status} ${body.slice(0, 300)}`);
  }
}

type Auth = { bearer: string } | { cookie: string };

function headersFor(auth: Auth, json: boolean): Record<string, string> {
  const h: Record<string, string> = { accept: "application/json" };
  if (json) h["content-type"] = "application/json";
  if ("bearer" in auth) h.authorization = `Bearer ${auth.bearer}`;
  else h.cookie = auth.cookie; // no Origin header: same-origin checks let it through
  return h;
}

class Http {
  samples = new Map<CallType, number[]>(CALL_TYPES.map((c) => [c, []]));
  calls = 0;
  recording = false;
  constructor(readonly base: string) {}

  async call<T>(type: CallType | null, method: "GET" | "POST", url: string, auth: Auth, body?: unknown, expect: number[] = [200]): Promise<T> {
    const t = performance.now();
    const res = await fetch(`${this.base}${url}`, {
      method,
      headers: headersFor(auth, body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: "manual",
    });
    const text = await res.text();
    const elapsed = performance.now() - t;
    if (this.recording) {
      this.calls++;
      if (type) this.samples.get(type)!.push(elapsed);
    }
    if (!expect.includes(res.status)) throw new HttpError(`${method} ${url}`, res.status, text);
    return (text ? JSON.parse(text) : null) as T;
  }
}

function cookieJar(setCookies: string[], jar = new Map<string, string>()) {
  for (const c of setCookies) {
    const [pair] = c.split(";");
    const i = pair.indexOf("=");
    if (i > 0) jar.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
  }
  return jar;
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

/** Signs a demo persona in through Auth.js and returns the session cookie header. */
async function signIn(base: string, persona: string): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  if (!csrf.ok) throw new Error(`GET /api/auth/csrf: HTTP ${csrf.status}`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = cookieJar(csrf.headers.getSetCookie());
  const res = await fetch(`${base}/api/auth/callback/demo`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar) },
    body: new URLSearchParams({ csrfToken, persona, callbackUrl: "/" }),
    redirect: "manual",
  });
  await res.text();
  cookieJar(res.headers.getSetCookie(), jar);
  if (![...jar.keys()].some((k) => k.endsWith("authjs.session-token")))
    throw new Error(`signing in as ${persona} gave no session cookie (HTTP ${res.status}, ${res.headers.get("location")})`);
  return cookieHeader(jar);
}

// ---------------------------------------------------------------- set-up

type Client = { nhiId: string; token: string; tokenId: string };
type Setup = { runId: string; entitlementId: string; entitlementName: string; clients: Client[]; owner: Caller };

async function callerByEmail(database: Database, email: string) {
  const person = await findHumanByEmail(database.db, email);
  const caller = person && (await resolveCaller(database.db, person.id));
  if (!caller) throw new Error(`demo persona ${email} is missing or inactive: is this a database the server seeded with DEMO=1?`);
  return caller;
}

async function setUp(database: Database): Promise<Setup> {
  const { db } = database;
  const email = (key: string) => personas.find((p) => p.key === key)!.email;
  const admin = await callerByEmail(database, email("admin"));
  const owner = await callerByEmail(database, email("owner"));
  const approver = await callerByEmail(database, email("approver"));
  if (!approver.roles.has("approver")) throw new Error(`${approver.email} lacks the approver role`);

  const runId = `bench-jit-${Date.now().toString(36)}`;
  const [system] = await db.insert(systems).values({ name: runId, kind: "saas", description: "Created by npm run bench:jit" }).returning();
  const nhis = await db
    .insert(identities)
    .values(
      Array.from({ length: CLIENTS }, (_, i) => ({
        kind: "service_account" as const,
        name: `${runId}-svc-${String(i + 1).padStart(3, "0")}`,
        displayName: `Bench pipeline ${i + 1}`,
        systemId: system.id,
        ownerId: owner.identityId,
        purpose: "Load generator for the JIT benchmark",
      })),
    )
    .returning({ id: identities.id });
  const entitlementName = `${runId} production console`;
  const [entitlement] = await db.insert(entitlements).values({ systemId: system.id, name: entitlementName, privilegeLevel: "privileged" }).returning();
  await createPolicy(db, admin, {
    name: `${runId} policy`,
    entitlementId: entitlement.id,
    identityIds: nhis.map((n) => n.id),
    approvalsRequired: 1,
    approverMode: "named",
    approverIds: [approver.identityId],
    maxDurationMinutes: 240,
    defaultDurationMinutes: 60,
    requireJustification: true,
  });
  const clients: Client[] = [];
  for (const [i, nhi] of nhis.entries()) {
    const issued = await issueToken(db, owner, { name: `${runId} token ${i + 1}`, scopes: ["jit:request"], identityId: nhi.id, expiresInDays: 1 });
    clients.push({ nhiId: nhi.id, token: issued.token, tokenId: issued.id });
  }
  return { runId, entitlementId: entitlement.id, entitlementName, clients, owner };
}

// ---------------------------------------------------------------- the cycle

type RequestRow = { id: string; status: string; grantId?: string | null; expiresAt?: string | null };
type Detail = { request: { status: string; storedStatus: string; expiresAt: string | null; grantId: string | null } };

async function cycle(http: Http, setup: Setup, client: Client, approverCookie: string, n: number) {
  const token: Auth = { bearer: client.token };
  const session: Auth = { cookie: approverCookie };
  const created = await http.call<RequestRow>(
    "create request",
    "POST",
    "/api/v1/jit/requests",
    token,
    { entitlementId: setup.entitlementId, durationMinutes: 30, justification: `Benchmark cycle ${n}: rotate the production console settings` },
    [201],
  );
  if (created.status !== "pending") throw new Error(`a new request is ${created.status}, not pending`);
  try {
    const approved = await http.call<RequestRow>("approve", "POST", `/api/v1/jit/requests/${created.id}/approve`, session, {});
    if (approved.status !== "active") throw new Error(`an approved request is ${approved.status}, not active`);
    for (let tries = 0; ; tries++) {
      const detail = await http.call<Detail>("read request", "GET", `/api/v1/jit/requests/${created.id}`, token);
      if (detail.request.status === "active") break;
      if (tries >= 50) throw new Error(`request ${created.id} never read as active (${detail.request.status})`);
      await sleep(20);
    }
    await http.call<RequestRow>("release", "POST", `/api/v1/jit/requests/${created.id}/release`, token, {});
  } catch (e) {
    // Leave nothing open behind, so the client's next cycle may ask again.
    await http.call(null, "POST", `/api/v1/jit/requests/${created.id}/release`, token, {}, [200, 409]).catch(() => undefined);
    await http.call(null, "POST", `/api/v1/jit/requests/${created.id}/cancel`, token, undefined, [200, 409]).catch(() => undefined);
    throw e;
  }
}

type LoadResult = { cycles: number; failures: string[]; wallMs: number; calls: number; serverCpu: number | null };

async function load(
  http: Http,
  setup: Setup,
  clients: Client[],
  approverCookie: string,
  cyclesPerClient: number,
  record: boolean,
  serverPid?: number,
  thinkMs = 0,
): Promise<LoadResult> {
  http.recording = record;
  const failures: string[] = [];
  let done = 0;
  const cpu0 = serverCpuSeconds(serverPid);
  const t = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      for (let i = 0; i < cyclesPerClient; i++) {
        // Paced clients wait between cycles (exponentially, as independent pipelines would), starting at random.
        if (thinkMs > 0) await sleep(-Math.log(1 - Math.random()) * thinkMs);
        try {
          await cycle(http, setup, client, approverCookie, i);
          done++;
        } catch (e) {
          failures.push(e instanceof Error ? e.message : String(e));
        }
      }
    }),
  );
  const wallMs = performance.now() - t;
  const cpu1 = serverCpuSeconds(serverPid);
  http.recording = false;
  return { cycles: done, failures, wallMs, calls: http.calls, serverCpu: cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null };
}

/** GET /api/health (one `select 1`) from every client at once: what the server and machine do with next to no work per call. */
async function floor(base: string, clients: number, seconds: number) {
  const samples: number[] = [];
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < end) {
        const t = performance.now();
        const res = await fetch(`${base}/api/health`);
        await res.text();
        samples.push(performance.now() - t);
      }
    }),
  );
  samples.sort((a, b) => a - b);
  return { perSecond: samples.length / seconds, p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

// ---------------------------------------------------------------- approval to a usable credential

/**
 * A target that issues short-lived credentials, as the credential phase
 * drives it: the connector to add, the entitlement's name there, what the
 * hand-out is sent, how the credential is first used, and how the target's
 * test fixture goes away.
 */
type CredentialTarget = {
  label: string;
  connector: { kind: "postgres" | "ssh" | "ldap"; url?: string };
  entitlementRef: string;
  handOutBody: Record<string, unknown>;
  /** Called with the connector row once made (an SSH host must trust its CA). */
  ready?(connectorId: string): Promise<void>;
  /** Uses the credential; answers when it counted as usable (performance.now()) if that was before the call returned. */
  use(credential: Record<string, unknown>): Promise<number | void>;
  end(): Promise<void>;
};

/** A role on a PostgreSQL server that authenticates by password; first use: a login and a read. */
async function postgresTarget(url: string, runId: string): Promise<CredentialTarget> {
  const role = `${runId.replace(/-/g, "_")}_reader`;
  const target = postgres(url, { max: 1, onnotice: () => {} });
  await target`create table if not exists bench_jit_ledger (id int)`;
  await target`create role ${target(role)} nologin`;
  await target`grant select on bench_jit_ledger to ${target(role)}`;
  return {
    label: `PostgreSQL (${new URL(url).host})`,
    connector: { kind: "postgres", url },
    entitlementRef: role,
    handOutBody: {},
    async use(credential) {
      const login = postgres(credential.connectionString as string, { max: 1, connect_timeout: 5, onnotice: () => {} });
      await login`select count(*) from bench_jit_ledger`;
      await login.end({ timeout: 1 });
    },
    async end() {
      await target`drop owned by ${target(role)}`.catch(() => undefined);
      await target`drop role if exists ${target(role)}`.catch(() => undefined);
      await target.end({ timeout: 5 });
    },
  };
}

/** An sshd on a loopback port trusting the connector's CA; first use: sshd accepts the certificate (ssh then runs a command). */
async function sshTarget(database: Database): Promise<CredentialTarget> {
  const principal = "bench-ops";
  const sshd = await startSshd(principal);
  return {
    label: "SSH (an sshd on a loopback port)",
    connector: { kind: "ssh" },
    entitlementRef: principal,
    handOutBody: { publicKey: sshd.publicKey },
    async ready(connectorId) {
      const [row] = await database.db.select().from(connectors).where(eq(connectors.id, connectorId));
      writeFileSync(sshd.trustedCas, trustedCaKeys(sshConfig(row)));
    },
    // Usable when sshd accepts the certificate (its log line for this serial), not when the whole ssh session has run.
    async use(credential) {
      const accepted = `Accepted certificate ID "${credential.keyId as string}" (serial ${credential.serial as number})`;
      const seen = () => sshd.log().split(accepted).length - 1;
      const before = seen();
      let done = false;
      const login = sshd.ssh(credential.certificate as string).finally(() => (done = true));
      let acceptedAt: number | undefined;
      while (acceptedAt === undefined && !done) {
        if (seen() > before) acceptedAt = performance.now();
        else await sleep(2);
      }
      const answer = await login;
      if (answer !== "ok") throw new Error(`ssh with the certificate: ${answer}`);
      return acceptedAt ?? performance.now();
    },
    end: async () => sshd.stop(),
  };
}

/** A slapd on a loopback port with the ppolicy overlay; first use: a bind as the grant's account. */
async function ldapTarget(): Promise<CredentialTarget> {
  const slapd = await startSlapd();
  return {
    label: "LDAP (a slapd on a loopback port)",
    connector: { kind: "ldap", url: slapd.url },
    entitlementRef: slapdGroup("dba"),
    handOutBody: {},
    async use(credential) {
      if ((await slapd.bind(credential.bindDn as string, credential.password as string)) !== "ok") throw new Error("the directory refused the grant's account");
    },
    end: async () => slapd.stop(),
  };
}

/**
 * A second entitlement on the target, requestable with a short-lived
 * credential through a connector; one NHI asks, the approver approves, the
 * NHI takes the credential and uses it.
 */
async function credentialLatency(http: Http, database: Database, setup: Setup, approverCookie: string, target: CredentialTarget) {
  const { db } = database;
  const admin = await callerByEmail(database, personas.find((p) => p.key === "admin")!.email);
  const approver = await callerByEmail(database, personas.find((p) => p.key === "approver")!.email);
  const name = `${setup.runId} ${target.connector.kind} target`;
  const [system] = await db.insert(systems).values({ name, kind: "database", description: "Created by npm run bench:jit" }).returning();
  const [entitlement] = await db
    .insert(entitlements)
    .values({ systemId: system.id, name: target.entitlementRef, externalRef: target.entitlementRef, privilegeLevel: "standard" })
    .returning();
  const connector = await createConnector(db, admin, { name, kind: target.connector.kind, systemId: system.id, url: target.connector.url });
  await target.ready?.(connector.id);
  const client = setup.clients[0];
  await createPolicy(db, admin, {
    name: `${name} credential policy`,
    entitlementId: entitlement.id,
    identityIds: [client.nhiId],
    approvalsRequired: 1,
    approverMode: "named",
    approverIds: [approver.identityId],
    maxDurationMinutes: 60,
    defaultDurationMinutes: 15,
    requireJustification: true,
    activation: "credential",
  });
  const token: Auth = { bearer: client.token };
  const session: Auth = { cookie: approverCookie };
  const samples = { approve: [] as number[], handOut: [] as number[], use: [] as number[], again: [] as number[], total: [] as number[], net: [] as number[] };
  try {
    for (let i = 0; i < CREDENTIAL_CYCLES; i++) {
      const created = await http.call<RequestRow>(
        null,
        "POST",
        "/api/v1/jit/requests",
        token,
        { entitlementId: entitlement.id, durationMinutes: 15, justification: `Benchmark: credential cycle ${i}` },
        [201],
      );
      const t0 = performance.now();
      await http.call(null, "POST", `/api/v1/jit/requests/${created.id}/approve`, session, {});
      const t1 = performance.now();
      const credential = await http.call<Record<string, unknown>>(null, "POST", `/api/v1/jit/requests/${created.id}/credential`, token, target.handOutBody);
      const t2 = performance.now();
      const t3 = (await target.use(credential)) ?? performance.now();
      // The same use once more, with the credential already held: what the login itself costs, whoever issued it.
      const t3b = performance.now();
      const t4 = (await target.use(credential)) ?? performance.now();
      samples.approve.push(t1 - t0);
      samples.handOut.push(t2 - t1);
      samples.use.push(t3 - t2);
      samples.again.push(t4 - t3b);
      samples.total.push(t3 - t0);
      samples.net.push(t3 - t0 - Math.min(t3 - t2, t4 - t3b));
      await http.call(null, "POST", `/api/v1/jit/requests/${created.id}/release`, token, {});
    }
  } finally {
    // The releases' removals are delivered by the server's jobs; the bench's own fixtures go once they are.
    await sleep(3_000);
    await target.end();
  }
  for (const list of Object.values(samples)) list.sort((a, b) => a - b);
  return samples;
}

// ---------------------------------------------------------------- expiry lag

type Lag = { access: number | null; active: number | null; recorded: number | null; recordedAt: number | null };

async function expiryLag(http: Http, database: Database, setup: Setup, approverCookie: string) {
  const chosen = setup.clients.slice(0, EXPIRY_GRANTS);
  const session: Auth = { cookie: approverCookie };
  const requests = await Promise.all(
    chosen.map((c) =>
      http.call<RequestRow>(
        null,
        "POST",
        "/api/v1/jit/requests",
        { bearer: c.token },
        { entitlementId: setup.entitlementId, durationMinutes: 1, justification: "Benchmark: expiry lag measurement" },
        [201],
      ),
    ),
  );
  const approved = await Promise.all(requests.map((r) => http.call<RequestRow>(null, "POST", `/api/v1/jit/requests/${r.id}/approve`, session, {})));
  const grants = approved.map((a, i) => {
    if (a.status !== "active" || !a.grantId || !a.expiresAt) throw new Error(`expiry phase: request ${a.id} is ${a.status} after approval`);
    return { requestId: a.id, grantId: a.grantId, identityId: chosen[i].nhiId, expiresAt: new Date(a.expiresAt).getTime() };
  });
  // Before expiry each grant must be visible in both places, or "gone" would mean nothing.
  for (const g of grants) {
    const access = await http.call<{ grants: { grantId: string }[] }>(null, "GET", `/api/v1/identities/${g.identityId}/access`, session);
    const active = await http.call<{ rows: { grantId: string }[] }>(null, "GET", `/api/v1/jit/active?identityId=${g.identityId}&pageSize=200`, session);
    if (!access.grants.some((x) => x.grantId === g.grantId)) throw new Error(`grant ${g.grantId} is missing from effective access before it expires`);
    if (!active.rows.some((x) => x.grantId === g.grantId)) throw new Error(`grant ${g.grantId} is missing from the active list before it expires`);
  }
  const first = Math.min(...grants.map((g) => g.expiresAt));
  const last = Math.max(...grants.map((g) => g.expiresAt));
  log(
    `  ${grants.length} one-minute grants approved; they expire between ${new Date(first).toISOString().slice(11, 23)} and ${new Date(last).toISOString().slice(11, 23)} UTC (spread ${last - first} ms); waiting…`,
  );

  const lags = new Map<string, Lag>(grants.map((g) => [g.grantId, { access: null, active: null, recorded: null, recordedAt: null }]));
  const pollFrom = (expiresAt: number) => sleep(Math.max(0, expiresAt - 1_000 - Date.now()));

  // Reads the server computes at request time: poll each grant's identity until the grant is gone.
  const pollHttp = async (g: (typeof grants)[number], which: "access" | "active") => {
    await pollFrom(g.expiresAt);
    const url = which === "access" ? `/api/v1/identities/${g.identityId}/access` : `/api/v1/jit/active?identityId=${g.identityId}&pageSize=200`;
    while (Date.now() < g.expiresAt + GIVE_UP_AFTER_MS) {
      const tick = Date.now();
      const body = await http.call<{ grants?: { grantId: string }[]; rows?: { grantId: string }[] }>(null, "GET", url, session);
      const seen = (body.grants ?? body.rows ?? []).some((x) => x.grantId === g.grantId);
      if (!seen) {
        lags.get(g.grantId)![which] = Date.now() - g.expiresAt;
        return;
      }
      await sleep(Math.max(0, POLL_MS - (Date.now() - tick)));
    }
  };
  // The durable job's record: jit_requests.status read straight from the database.
  const pollRecorded = async () => {
    await pollFrom(first);
    const byRequest = new Map(grants.map((g) => [g.requestId, g]));
    while (byRequest.size > 0 && Date.now() < last + GIVE_UP_AFTER_MS) {
      const tick = Date.now();
      const rows = await database.db
        .select({ id: jitRequests.id, status: jitRequests.status, updatedAt: jitRequests.updatedAt })
        .from(jitRequests)
        .where(inArray(jitRequests.id, [...byRequest.keys()]));
      for (const r of rows) {
        if (r.status === "active") continue;
        const g = byRequest.get(r.id)!;
        byRequest.delete(r.id);
        if (r.status !== "expired") throw new Error(`request ${r.id} ended as ${r.status}, not expired`);
        const lag = lags.get(g.grantId)!;
        lag.recorded = Date.now() - g.expiresAt;
        lag.recordedAt = r.updatedAt.getTime() - g.expiresAt;
      }
      await sleep(Math.max(0, POLL_MS - (Date.now() - tick)));
    }
  };
  await Promise.all([...grants.flatMap((g) => [pollHttp(g, "access"), pollHttp(g, "active")]), pollRecorded()]);
  return { lags: [...lags.values()], spreadMs: last - first };
}

// ---------------------------------------------------------------- report

function latencyTable(http: Http, withTarget = true) {
  const all: number[] = [];
  const header = `  ${"call".padEnd(16)}${"n".padStart(7)}${"p50".padStart(9)}${"p95".padStart(9)}${"p99".padStart(9)}${"max".padStart(9)}${withTarget ? `   p95 target < ${TARGET_P95_MS} ms` : ""}`;
  log(header);
  const line = (label: string, samples: number[]) => {
    const s = [...samples].sort((a, b) => a - b);
    const p95 = percentile(s, 95);
    log(
      `  ${label.padEnd(16)}${String(s.length).padStart(7)}${ms(percentile(s, 50), 9)}${ms(p95, 9)}${ms(percentile(s, 99), 9)}${ms(s.at(-1) ?? NaN, 9)}${withTarget ? `   ${p95 < TARGET_P95_MS ? "met" : "MISSED"}` : ""}`,
    );
  };
  for (const type of CALL_TYPES) {
    const s = http.samples.get(type)!;
    all.push(...s);
    line(type, s);
  }
  line("overall", all);
}

function lagTable(lags: Lag[]) {
  log(`  ${"".padEnd(44)}${"min".padStart(9)}${"p50".padStart(9)}${"max".padStart(9)}  missing   target < ${TARGET_EXPIRY_LAG_MS / 1000} s`);
  const line = (label: string, values: (number | null)[]) => {
    const seen = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
    const missing = values.length - seen.length;
    const ok = missing === 0 && (seen.at(-1) ?? Infinity) < TARGET_EXPIRY_LAG_MS;
    log(
      `  ${label.padEnd(44)}${secs(seen[0] ?? NaN, 9)}${secs(percentile(seen, 50), 9)}${secs(seen.at(-1) ?? NaN, 9)}  ${String(missing).padStart(7)}   ${ok ? "met" : "MISSED"}`,
    );
  };
  line(
    "(a) gone from effective access",
    lags.map((l) => l.access),
  );
  line(
    "(b) gone from the active-grants list",
    lags.map((l) => l.active),
  );
  line(
    "(c) expiry recorded (status expired), seen",
    lags.map((l) => l.recorded),
  );
  line(
    "    … written by the job (updated_at)",
    lags.map((l) => l.recordedAt),
  );
  log(
    `  polled every ${POLL_MS} ms from 1 s before each expires_at; a lag counts until the poll that saw the change came back; "missing" means not seen within ${GIVE_UP_AFTER_MS / 1000} s.`,
  );
}

// ---------------------------------------------------------------- main

async function main() {
  useBenchAuditKey();
  const target = resolveTarget();
  if (target.kind !== "postgres") {
    console.error(
      "bench:jit measures the production set-up and needs PostgreSQL: set DATABASE_URL=postgres://… to a fresh database\n" +
        "(embedded PGlite is one process with one connection: the bench could not set up data beside the running server).\n" +
        "  psql postgres://postgres@127.0.0.1:5432/postgres -c 'create database bench_jit'\n" +
        "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_jit npm run bench:jit",
    );
    process.exit(2);
  }
  // The SSH target's CA is sealed here (creating the connector) and opened by the server: both read the same key.
  if (!process.env.SSH_CA_KEY && !process.env.SSH_CA_KEY_FILE) process.env.SSH_CA_KEY = "bench-jit-only-ssh-ca-sealing-key-not-for-production";
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_DIST_DIR: DIST_DIR,
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: target.url,
    DEMO: "1",
    AUTH_SECRET: process.env.AUTH_SECRET && process.env.AUTH_SECRET.length >= 32 ? process.env.AUTH_SECRET : "bench-jit-only-secret-not-for-production-0000",
  };
  delete env.PORT;

  let server: Server | null = null;
  let database: Database | null = null;
  let setup: Setup | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    void stopServer(server).finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.once("exit", () => {
    // Last resort when something exits without the finally below.
    if (server?.child.pid && server.child.exitCode === null && server.child.signalCode === null) {
      try {
        process.kill(-server.child.pid, "SIGKILL");
      } catch {
        // gone
      }
    }
  });

  try {
    // Fail before a long build when the database is not there.
    database = await openDatabase(target);
    const [{ version }] = await queryRows<{ version: string }>(database.db, sql`select current_setting('server_version') as version`);
    if (!SKIP_BUILD) await build(env);
    else if (!existsSync(path.join(root, DIST_DIR, "BUILD_ID")))
      throw new Error(`BENCH_SKIP_BUILD=1 but there is no build in ${DIST_DIR}; run once without it`);

    server = await startServer(env);
    log(`starting next start on port ${server.port} (log: ${path.relative(root, server.logFile)})…`);
    const t = performance.now();
    await waitForHealth(server);
    log(`server ready in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);

    setup = await setUp(database);
    const approverCookie = await signIn(server.url, "approver");
    const http = new Http(server.url);

    const cpus = os.cpus();
    const dbUrl = new URL(target.url);
    log("JIT elevation benchmark: request → approve → active → release over HTTP");
    log(
      `  machine   ${os.availableParallelism()} CPUs (${cpus[0]?.model.trim() ?? "unknown"}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.arch()}; load average ${loadAtStart.toFixed(2)} before the bench`,
    );
    log(
      `  database  PostgreSQL ${version} at ${dbUrl.host}${dbUrl.pathname} (app pool ${process.env.DATABASE_POOL_SIZE ?? 10}, job runner pool ${process.env.JOBS_POOL_SIZE ?? 3})`,
    );
    log(`  server    next start, production build in ${DIST_DIR}, ${server.url}; bench client, server and database share this machine`);
    log(
      `  load      ${CLIENTS} concurrent clients (one NHI with its API token each; one approver session) × ${CYCLES} cycles, after ${WARMUP} warm-up cycle(s) each\n`,
    );

    if (WARMUP > 0) {
      const warm = await load(http, setup, setup.clients, approverCookie, WARMUP, false);
      if (warm.failures.length) log(`  warm-up: ${warm.failures.length} failed cycle(s), first: ${warm.failures[0]}`);
    }
    // One client alone first: the service time each call costs without queueing behind the others.
    const solo = new Http(server.url);
    const alone = await load(solo, setup, setup.clients.slice(0, 1), approverCookie, SOLO_CYCLES, true);
    const result = await load(http, setup, setup.clients, approverCookie, CYCLES, true, server.child.pid);

    log("Throughput");
    log(
      `  cycles      ${(result.cycles / (result.wallMs / 1000)).toFixed(1).padStart(8)} /s   (${result.cycles} of ${CLIENTS * CYCLES} request→approve→active→release cycles in ${(result.wallMs / 1000).toFixed(2)} s)`,
    );
    log(`  HTTP calls  ${(result.calls / (result.wallMs / 1000)).toFixed(1).padStart(8)} /s   (${result.calls} calls)`);
    if (result.serverCpu !== null)
      log(
        `  server CPU  ${(result.serverCpu / (result.wallMs / 1000)).toFixed(2).padStart(8)} cores busy on average (of ${os.availableParallelism()}; its JavaScript runs on one thread)`,
      );
    if (result.failures.length) {
      log(`  FAILED cycles: ${result.failures.length}; first ones:`);
      for (const f of result.failures.slice(0, 5)) log(`    ${f}`);
    }
    log(`\nLatency per HTTP call (ms), ${CLIENTS} concurrent clients`);
    latencyTable(http);
    log(
      `\nFor comparison: one client alone (${alone.cycles} cycles, ${(alone.calls / (alone.wallMs / 1000)).toFixed(1)} calls/s), the service time without queueing`,
    );
    latencyTable(solo, false);
    log(
      `  With ${CLIENTS} clients always waiting on a call, the mean latency is ${CLIENTS} / ${(result.calls / (result.wallMs / 1000)).toFixed(1)} calls/s = ${((CLIENTS / (result.calls / (result.wallMs / 1000))) * 1000).toFixed(0)} ms (Little's law);`,
    );
    log(
      `  a p95 under ${TARGET_P95_MS} ms needs a mean well below it, i.e. more than ${Math.round((CLIENTS / TARGET_P95_MS) * 1000)} calls/s at this concurrency.`,
    );
    if (PACED_THINK_MS > 0) {
      // The same 50 clients, each pausing between cycles as pipelines do: latency at a load the machine sustains.
      const paced = new Http(server.url);
      const p = await load(paced, setup, setup.clients, approverCookie, Math.max(4, Math.ceil(CYCLES / 2)), true, server.child.pid, PACED_THINK_MS);
      log(
        `\nPaced: ${CLIENTS} clients, each waiting ${(PACED_THINK_MS / 1000).toFixed(1)} s on average between cycles: ${(p.cycles / (p.wallMs / 1000)).toFixed(1)} cycles/s, ${(p.calls / (p.wallMs / 1000)).toFixed(1)} calls/s${p.failures.length ? `, ${p.failures.length} FAILED` : ""}`,
      );
      latencyTable(paced);
      if (p.failures.length) result.failures.push(...p.failures);
    }
    const base = await floor(server.url, CLIENTS, 3);
    log(
      `  Floor on this machine: GET /api/health (one \`select 1\`) from ${CLIENTS} clients at once: ${base.perSecond.toFixed(0)} calls/s, p50 ${base.p50.toFixed(1)} ms, p95 ${base.p95.toFixed(1)} ms.`,
    );

    if (EXPIRY_GRANTS > 0) {
      log(`\nExpiry lag after expires_at (${EXPIRY_GRANTS} grants of 1 minute, approved together)`);
      const { lags } = await expiryLag(http, database, setup, approverCookie);
      lagTable(lags);
    }
    const targets: (() => Promise<CredentialTarget>)[] = [];
    if (PG_TARGET) targets.push(() => postgresTarget(PG_TARGET, setup!.runId));
    else log("\nApproval to a usable PostgreSQL credential: skipped (set BENCH_PG_TARGET_URL to a PostgreSQL server that authenticates roles by password)");
    if (sshdAvailable()) targets.push(() => sshTarget(database!));
    else log("\nApproval to a usable SSH certificate: skipped (needs openssh-server and root)");
    if (slapdAvailable()) targets.push(ldapTarget);
    else log("\nApproval to a usable directory account: skipped (needs slapd)");
    for (const make of targets) {
      const target = await make();
      log(`\nApproval to a usable short-lived credential: ${target.label}, ${CREDENTIAL_CYCLES} cycles of one client`);
      const c = await credentialLatency(http, database, setup, approverCookie, target);
      log(`  ${"".padEnd(34)}${"p50".padStart(9)}${"p95".padStart(9)}${"max".padStart(9)}`);
      for (const [label, list] of [
        ["approve (POST …/approve)", c.approve],
        ["hand-out (POST …/credential)", c.handOut],
        ["first use (target accepts it)", c.use],
        ["the same use again (its own cost)", c.again],
      ] as const)
        log(`  ${label.padEnd(34)}${ms(percentile(list, 50), 9)}${ms(percentile(list, 95), 9)}${ms(list.at(-1) ?? NaN, 9)}`);
      for (const [label, list] of [
        ["approval → usable credential", c.total],
        ["…less the use's own cost", c.net],
      ] as const) {
        const p95 = percentile(list, 95);
        log(
          `  ${label.padEnd(34)}${ms(percentile(list, 50), 9)}${ms(p95, 9)}${ms(list.at(-1) ?? NaN, 9)}   target p95 < ${TARGET_CREDENTIAL_P95_MS} ms: ${p95 < TARGET_CREDENTIAL_P95_MS ? "met" : "MISSED"}`,
        );
      }
    }
    if (result.failures.length) process.exitCode = 1;
  } catch (e) {
    process.exitCode = 1;
    const cause = e instanceof Error && e.cause instanceof Error ? `\n  caused by: ${e.cause.message}` : "";
    console.error(`\nbench:jit failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}${cause}`);
    if (server?.tail.length) console.error(`\nlast server output (${path.relative(root, server.logFile)}):\n${server.tail.join("\n")}`);
  } finally {
    if (database && setup) {
      // Leave no live tokens behind, even in a benchmark database.
      await database.db
        .update(apiTokens)
        .set({ revokedAt: new Date(), revokedById: setup.owner.identityId })
        .where(
          inArray(
            apiTokens.id,
            setup.clients.map((c) => c.tokenId),
          ),
        )
        .catch(() => undefined);
    }
    await database?.close().catch(() => undefined);
    await stopServer(server);
  }
}

await main();
