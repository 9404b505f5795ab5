import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq, inArray } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/db/client";
import { migrate } from "@/db/migrate";
import { installJobs } from "@/lib/runtime/job-runner";
import { connectorDeliveries, connectors, entitlements, findings, grants, jitRequests } from "@/db/schema";
import { handOutCredential, type LdapAccount, type PostgresLogin, type SshCertificate } from "@/lib/jit/credential";
import { approvedFor, jitOrg } from "@/lib/jit/test-fixtures";
import { updatePolicy } from "@/lib/jit/policies";
import { pgReachable } from "@/lib/testing/servers";
import { groupDn, slapdAvailable, startSlapd, type TestSlapd } from "@/lib/testing/slapd";
import { sshdAvailable, startSshd, type TestSshd } from "@/lib/testing/sshd";
import { uniq } from "@/lib/testing/harness";
import { createConnector } from "./admin";
import { sshConfig, trustedCaKeys } from "./ssh";

/**
 * The product really stopped: its job worker (`gov jobs work`, the process
 * that delivers activations and expiries) is killed with SIGKILL before the
 * grants end; the targets must refuse the credentials at expires_at by
 * themselves; a new worker, started after, records the expiries and removes
 * what is left. The product's database is a PostgreSQL one (two processes
 * use it: this test and the worker), next to DATABASE_URL's or on the local
 * server.
 */
const PRODUCT_SERVER = process.env.DATABASE_URL?.startsWith("postgres") ? process.env.DATABASE_URL : "postgres://postgres@127.0.0.1:5432/postgres";
const PG_TARGET = process.env.CREDENTIAL_TEST_PG_URL;
const SSH_CA_KEY = "ssh-ca-sealing-key-for-tests-only-0000000000";
const WINDOW_SECONDS = 14;

async function until(what: string, check: () => Promise<boolean>, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("the product killed before expires_at", async () => {
  const available = await pgReachable(PRODUCT_SERVER);
  let database: Database;
  let dropDatabase: () => Promise<void>;
  let worker: ChildProcess | null = null;
  let sshd: TestSshd | null = null;
  let slapd: TestSlapd | null = null;
  const role = uniq("gov_killed_role").replaceAll("-", "_");
  let target: postgres.Sql | null = null;

  // The worker signs audit checkpoints of its own database: in a directory of its own, not the one the other tests' chains are checked against.
  const checkpoints = mkdtempSync(path.join(os.tmpdir(), "gov-killed-checkpoints-"));
  const startWorker = (url: string) =>
    spawn(process.execPath, [path.resolve("bin/gov.mjs"), "jobs", "work"], {
      env: { ...process.env, DATABASE_URL: url, SSH_CA_KEY, AUDIT_CHECKPOINT_DIR: checkpoints },
      stdio: "ignore",
    });

  beforeAll(async () => {
    if (!available) return;
    process.env.SSH_CA_KEY = SSH_CA_KEY;
    const name = `gov_killed_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const admin = postgres(PRODUCT_SERVER, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const url = new URL(PRODUCT_SERVER);
    url.pathname = `/${name}`;
    database = await openDatabase({ kind: "postgres", url: url.toString() });
    await migrate(database);
    await installJobs(database);
    dropDatabase = async () => {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
    if (await pgReachable(PG_TARGET)) {
      target = postgres(PG_TARGET!, { max: 1, onnotice: () => {} });
      await target`create role ${target(role)} nologin`;
    }
    if (sshdAvailable()) sshd = await startSshd("killed-ops");
    if (slapdAvailable()) slapd = await startSlapd();
  });
  afterAll(async () => {
    worker?.kill("SIGKILL");
    sshd?.stop();
    slapd?.stop();
    if (target) {
      await target`drop role if exists ${target(role)}`.catch(() => {});
      await target.end();
    }
    await dropDatabase?.();
    delete process.env.SSH_CA_KEY;
    rmSync(checkpoints, { recursive: true, force: true });
  });

  it.skipIf(!available)(
    "every target refuses its credential at expires_at on its own; the restarted worker records the expiries and the session that outlived its grant",
    async () => {
      const db = database.db;
      const url = (database.target as { url: string }).url;
      // One approved credential grant per target (each its own system, policy and requester), all ending together.
      const setups: { kind: "postgres" | "ssh" | "ldap"; org: Awaited<ReturnType<typeof jitOrg>>; request?: { id: string; grantId: string; end: Date } }[] = [];
      const add = async (kind: "postgres" | "ssh" | "ldap", ref: string, url: string | undefined) => {
        const org = await jitOrg(db);
        await db.update(entitlements).set({ externalRef: ref }).where(eq(entitlements.id, org.entitlement.id));
        const c = await createConnector(db, org.admin, { name: uniq(`${kind} target`), kind, systemId: org.system.id, url });
        if (kind === "ssh") {
          const [row] = await db.select().from(connectors).where(eq(connectors.id, c.id));
          writeFileSync(sshd!.trustedCas, trustedCaKeys(sshConfig(row)));
        }
        await updatePolicy(db, org.admin, org.policy.id, { activation: "credential" });
        setups.push({ kind, org });
      };
      if (target) await add("postgres", role, PG_TARGET);
      if (sshd) await add("ssh", "killed-ops", sshd.krl);
      if (slapd) await add("ldap", groupDn("ops"), slapd.url);
      for (const s of setups) s.request = await approvedFor(db, s.org, WINDOW_SECONDS);
      const end = new Date(Math.max(...setups.map((s) => s.request!.end.getTime())));

      // The product's worker delivers the activations.
      worker = startWorker(url);
      const grantIds = setups.map((s) => s.request!.grantId);
      await until("the activations delivered", async () => {
        const done = await db
          .select({ status: connectorDeliveries.status })
          .from(connectorDeliveries)
          .innerJoin(connectors, eq(connectors.id, connectorDeliveries.connectorId));
        return done.length >= setups.length && done.every((d) => d.status === "delivered");
      });

      // The requester takes each credential and uses it inside the window.
      const use: Record<string, () => Promise<string>> = {};
      let session: postgres.Sql | null = null;
      for (const s of setups) {
        const r = s.request!;
        if (s.kind === "postgres") {
          const c = (await handOutCredential(db, s.org.requester, r.id)) as PostgresLogin;
          use.postgres = async () => {
            const login = postgres(c.connectionString, { max: 1, connect_timeout: 5, onnotice: () => {} });
            try {
              await login`select 1`;
              return "ok";
            } catch (e) {
              return `refused: ${(e as Error).message}`;
            } finally {
              await login.end({ timeout: 1 });
            }
          };
          session = postgres(c.connectionString, { max: 1, onnotice: () => {} });
          await session`select 1`;
        }
        if (s.kind === "ssh") {
          const c = (await handOutCredential(db, s.org.requester, r.id, { publicKey: sshd!.publicKey })) as SshCertificate;
          use.ssh = () => sshd!.ssh(c.certificate);
        }
        if (s.kind === "ldap") {
          const c = (await handOutCredential(db, s.org.requester, r.id)) as LdapAccount;
          use.ldap = () => slapd!.bind(c.bindDn, c.password);
        }
      }
      for (const kind of Object.keys(use)) expect(await use[kind](), kind).toBe("ok");
      expect(Date.now()).toBeLessThan(end.getTime());

      // Killed, as a crash or an outage would: nothing of the product runs past expires_at.
      worker.kill("SIGKILL");
      await new Promise((r) => worker!.once("exit", r));
      worker = null;
      await new Promise((r) => setTimeout(r, Math.max(0, end.getTime() - Date.now()) + 1500));
      for (const kind of Object.keys(use)) expect(await use[kind](), kind).toMatch(/^refused/);
      // Nothing recorded the expiry meanwhile: the requests still say active.
      expect(
        (await db.select({ status: jitRequests.status }).from(jitRequests).where(inArray(jitRequests.grantId, grantIds))).every((r) => r.status === "active"),
      ).toBe(true);

      // As if the product had stayed down five minutes; then a worker starts again.
      const down = new Date(Date.now() - 5 * 60_000);
      await db.update(grants).set({ expiresAt: down }).where(inArray(grants.id, grantIds));
      await db.update(jitRequests).set({ expiresAt: down }).where(inArray(jitRequests.grantId, grantIds));
      worker = startWorker(url);
      await until(
        "the expiries recorded and delivered",
        async () => {
          const requests = await db.select({ status: jitRequests.status }).from(jitRequests).where(inArray(jitRequests.grantId, grantIds));
          const deliveries = await db.select({ status: connectorDeliveries.status }).from(connectorDeliveries);
          return requests.every((r) => r.status === "expired") && deliveries.length >= 2 * setups.length && deliveries.every((d) => d.status === "delivered");
        },
        45_000,
      );
      worker.kill("SIGTERM");
      for (const kind of Object.keys(use)) expect(await use[kind](), kind).toMatch(/^refused/);
      if (slapd) expect(await slapd.members(groupDn("ops"))).toEqual([]);
      if (session) {
        // The session opened inside the window ran on until the product came back, which ended it and says so.
        await expect(session`select 1`).rejects.toThrow();
        await session.end({ timeout: 1 }).catch(() => {});
        const pg = setups.find((s) => s.kind === "postgres")!;
        const [outlived] = await db
          .select()
          .from(findings)
          .where(and(eq(findings.grantId, pg.request!.grantId), eq(findings.kind, "session_outlived_grant")));
        expect(outlived).toMatchObject({ status: "open", identityId: pg.org.requester.identityId });
        expect((outlived.details as { outlivedSeconds: number }).outlivedSeconds).toBeGreaterThanOrEqual(300);
      }
    },
    120_000,
  );

  // In CI every target is there, so the test above covers all three.
  it("has every target in CI", () => {
    if (!process.env.CI) return;
    expect({ product: available, postgres: !!PG_TARGET, sshd: sshdAvailable(), slapd: slapdAvailable() }).toEqual({
      product: true,
      postgres: true,
      sshd: true,
      slapd: true,
    });
  });
});
