import { readFile } from "node:fs/promises";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { queryRows } from "@/db/rows";
import { connectors, entitlements, findings, grants, issuedCredentials, jitRequests, pamSessions, systems } from "@/db/schema";
import { importPgLog } from "@/lib/ingest/postgres/log-import";
import { handOutCredential as handOut, type PostgresLogin } from "@/lib/jit/credential";
import { decideRequest } from "@/lib/jit/decide";
import { releaseRequest } from "@/lib/jit/end";
import { createRequest } from "@/lib/jit/request";
import { approvedFor, asking, jitOrg } from "@/lib/jit/test-fixtures";
import type { Caller } from "@/lib/caller";
import { sweepRequests } from "@/lib/jit/window";
import { authenticateToken, callerForToken, issueToken } from "@/lib/auth/tokens";
import { addEligibleIdentities, updatePolicy } from "@/lib/jit/policies";
import { makeNhi, testDatabase, uniq } from "@/lib/testing/harness";
import { pgReachable } from "@/lib/testing/servers";
import { checkConnector, createConnector, getConnector } from "./admin";
import { deliverOne, dispatchAccessEvents } from "./dispatch";
import { grantOfRole, perGrantRole } from "@/lib/permissions/grant-accounts";
import { scramVerifier } from "./postgres-target";

/**
 * A PostgreSQL server that authenticates other roles by password (VALID UNTIL
 * applies only to password logins; a trust rule would let anyone in whatever
 * the role's validity): .ci/run starts one on 127.0.0.1:5499.
 */
const TARGET = process.env.CREDENTIAL_TEST_PG_URL;
/** Where that server writes its jsonlog, when it is the pgaudit cluster .ci/run starts. */
const LOG_DIR = TARGET && TARGET === process.env.PGAUDIT_TEST_URL ? process.env.PGAUDIT_TEST_LOG_DIR : undefined;

/** Logs in to the target as the credential says and reads the table the entitlement's role may read; the error's text if refused. */
async function login(c: Pick<PostgresLogin, "connectionString">): Promise<string> {
  const client = postgres(c.connectionString, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    const [row] = await client<{ n: number }[]>`select count(*)::int as n from gov_cred_ledger`;
    return `read ${row.n}`;
  } catch (e) {
    return `refused: ${(e as Error).message}`;
  } finally {
    await client.end({ timeout: 1 });
  }
}

/** A PostgreSQL login handed out (what this connector issues). */
const handOutCredential = async (...args: Parameters<typeof handOut>) => (await handOut(...args)) as PostgresLogin;

/** The "product": delivers what the outbox holds to the connector, as the job runner would. */
async function deliverAll(db: Db, admin: Parameters<typeof getConnector>[1], connectorId: string) {
  await dispatchAccessEvents(db);
  for (const d of (await getConnector(db, admin, connectorId, { status: "pending" })).deliveries.rows) await deliverOne(db, d.delivery.id);
}

describe("the SCRAM verifier", () => {
  it("has PostgreSQL's form (the server accepting it is the login test below), and role names give back their grant", () => {
    const v = scramVerifier("pencil", Buffer.from("W22ZaJ0SNY7soEsUEjb6gQ==", "base64"), 4096);
    expect(v).toMatch(/^SCRAM-SHA-256\$4096:W22ZaJ0SNY7soEsUEjb6gQ==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    expect(scramVerifier("pencil")).not.toBe(scramVerifier("pencil"));
    expect(grantOfRole(perGrantRole("0f8fad5b-d9cb-469f-a165-70867728950e"))).toBe("0f8fad5b-d9cb-469f-a165-70867728950e");
    expect(grantOfRole("gov_user")).toBeNull();
  });
});

describe("short-lived PostgreSQL credentials for JIT grants", async () => {
  const available = await pgReachable(TARGET);
  const role = uniq("gov_cred_role").replaceAll("-", "_");
  let target: postgres.Sql;

  beforeAll(async () => {
    if (!available) return;
    target = postgres(TARGET!, { max: 1, onnotice: () => {} });
    await target`create role ${target(role)} nologin`;
    await target`create table if not exists gov_cred_ledger (id int)`;
    await target`grant select on gov_cred_ledger to ${target(role)}`;
  });
  afterAll(async () => {
    if (!available) return;
    await target`revoke all on gov_cred_ledger from ${target(role)}`;
    await target`drop role if exists ${target(role)}`;
    await target.end();
  });

  async function setUp() {
    const database = await testDatabase();
    const db = database.db;
    const org = await jitOrg(db);
    await db.update(entitlements).set({ externalRef: role }).where(eq(entitlements.id, org.entitlement.id));
    // No connector yet: a policy cannot promise credentials nobody can issue.
    await expect(updatePolicy(db, org.admin, org.policy.id, { activation: "credential" })).rejects.toMatchObject({
      status: 422,
      fieldErrors: { activation: [expect.stringContaining("PostgreSQL, SSH or directory (LDAP) connector")] },
    });
    const connector = await createConnector(db, org.admin, { name: uniq("ledger db"), kind: "postgres", systemId: org.system.id, url: TARGET });
    await updatePolicy(db, org.admin, org.policy.id, { activation: "credential" });
    return { db, connector, ...org };
  }

  const approved = (s: { db: Db; requester: Caller; approvers: Caller[]; entitlement: { id: string } }, seconds: number) => approvedFor(s.db, s, seconds);

  it.skipIf(!available)(
    "the target refuses logins after expires_at with the product stopped; restarting records the expiry and the session that outlived it",
    async () => {
      const s = await setUp();
      const r = await approved(s, 6);
      // Activation delivered: the login role exists, with a password nobody knows, until the window's end.
      await deliverAll(s.db, s.admin, s.connector.id);
      const [made] = await target<
        { until: Date; login: boolean }[]
      >`select rolvaliduntil as until, rolcanlogin as login from pg_roles where rolname = ${perGrantRole(r.grantId)}`;
      expect(made.login).toBe(true);
      expect(made.until.getTime()).toBe(r.end.getTime());

      // Only the requester gets it, and only as long as the access is active.
      await expect(handOutCredential(s.db, s.approvers[0], r.id)).rejects.toMatchObject({ status: 403 });
      await expect(handOutCredential(s.db, s.admin, r.id)).rejects.toMatchObject({ status: 403 });
      const first = await handOutCredential(s.db, s.requester, r.id);
      expect(first).toMatchObject({ username: perGrantRole(r.grantId), validUntil: r.end.toISOString(), handedOut: 1 });
      expect(await login(first)).toBe("read 0");
      // Asked again: a new password; the first no longer works.
      const credential = await handOutCredential(s.db, s.requester, r.id);
      expect(credential.handedOut).toBe(2);
      expect(await login(first)).toMatch(/^refused: password authentication failed/);
      expect(await login(credential)).toBe("read 0");

      // A session opened inside the window, left open.
      const open = postgres(credential.connectionString, { max: 1, onnotice: () => {} });
      await open`select 1`;

      // From here the product does nothing (no job, no sweep, no delivery) until after the window's end.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, r.end.getTime() - Date.now()) + 1000));
      expect(await login(credential)).toMatch(/^refused: password authentication failed/);
      // The target does not end a session already open: it runs on until the product comes back.
      expect((await open<{ n: number }[]>`select count(*)::int as n from gov_cred_ledger`)[0].n).toBe(0);

      // As if the product had been down five minutes: it comes back, the sweep records the expiry, the delivery removes the role.
      await s.db
        .update(grants)
        .set({ expiresAt: new Date(Date.now() - 5 * 60_000) })
        .where(eq(grants.id, r.grantId));
      await s.db
        .update(jitRequests)
        .set({ expiresAt: new Date(Date.now() - 5 * 60_000) })
        .where(eq(jitRequests.id, r.id));
      expect((await sweepRequests(s.db)).settled).toBeGreaterThanOrEqual(1);
      await deliverAll(s.db, s.admin, s.connector.id);
      expect((await target`select 1 from pg_roles where rolname = ${credential.username}`).length).toBe(0);
      await expect(open`select 1`).rejects.toThrow();
      await open.end({ timeout: 1 }).catch(() => {});
      const [outlived] = await s.db.select().from(findings).where(eq(findings.grantId, r.grantId));
      expect(outlived).toMatchObject({ kind: "session_outlived_grant", status: "open", identityId: s.requester.identityId });
      expect((outlived.details as { outlivedSeconds: number }).outlivedSeconds).toBeGreaterThanOrEqual(300);
      const [issued] = await s.db.select().from(issuedCredentials).where(eq(issuedCredentials.grantId, r.grantId));
      expect(issued.removedAt).not.toBeNull();
      await expect(handOutCredential(s.db, s.requester, r.id)).rejects.toMatchObject({ status: 409 });

      // The password is in no record the product keeps.
      for (const table of ["audit_log", "issued_credentials", "connector_deliveries", "access_events", "jit_requests", "notifications", "findings"]) {
        const [hit] = await queryRows<{ n: number }>(
          s.db,
          sql`select count(*)::int as n from ${sql.identifier(table)} t where t::text like ${`%${credential.password}%`} or t::text like ${`%${first.password}%`}`,
        );
        expect(hit.n, table).toBe(0);
      }
    },
    60_000,
  );

  it.skipIf(!available)(
    "an early release refuses the credential at once; bad calls change nothing",
    async () => {
      const s = await setUp();
      const r = await approved(s, 600);
      // Handed out before the activation's delivery: the hand-out makes the role itself.
      const credential = await handOutCredential(s.db, s.requester, r.id);
      expect(await login(credential)).toBe("read 0");
      await deliverAll(s.db, s.admin, s.connector.id);
      expect(await login(credential)).toBe("read 0");

      // A session under the credential, whose login and logout the server logs.
      const client = postgres(credential.connectionString, { max: 1, onnotice: () => {} });
      const [{ session }] = await client<
        { session: string }[]
      >`select to_hex(trunc(extract(epoch from backend_start))::int) || '.' || to_hex(pg_backend_pid()) as session from pg_stat_activity where pid = pg_backend_pid()`;
      await client.end({ timeout: 5 });

      // Reading the target: the live grant's login role is where it should be, and nothing else is expected.
      expect(await checkConnector(s.db, s.connector.id)).toMatchObject({ unapproved: 0, missing: 0, unknownMembers: [] });

      await releaseRequest(s.db, s.requester, r.id, {});
      // Read before the removal is delivered: the ended grant's login role is access nothing approves.
      expect(await checkConnector(s.db, s.connector.id)).toMatchObject({ unapproved: 1, missing: 0 });
      await deliverAll(s.db, s.admin, s.connector.id);
      expect(await login(credential)).toMatch(/^refused: /);
      expect(await checkConnector(s.db, s.connector.id)).toMatchObject({ unapproved: 0, missing: 0 });
      expect(await s.db.select({ status: findings.status }).from(findings).where(eq(findings.grantId, r.grantId))).toEqual([{ status: "resolved" }]);

      if (LOG_DIR) {
        // The server's log, imported: the session is the requester's, linked to the grant and its request.
        const name = uniq("ledger-db");
        await s.db.update(systems).set({ kind: "database", externalId: name }).where(eq(systems.id, s.system.id));
        const logged = async () =>
          (await readFile(path.join(LOG_DIR, "postgresql.json"), "utf8"))
            .split("\n")
            .some((l) => l.includes(`"session_id":"${session}"`) && l.includes('"message":"disconnection:'));
        for (let i = 0; i < 50 && !(await logged()); i++) await new Promise((done) => setTimeout(done, 200));
        await importPgLog(s.db, { system: name, paths: [LOG_DIR] });
        const [evidence] = await s.db.select().from(pamSessions).where(eq(pamSessions.sessionId, session));
        expect(evidence).toMatchObject({ identityId: s.requester.identityId, grantId: r.grantId, requestId: r.id, outsideWindowCount: 0 });
        // And the server said why the expired credential of the other test was refused.
        expect(await readFile(path.join(LOG_DIR, "postgresql.json"), "utf8")).toMatch(/User \\"gov_[0-9a-f]{32}\\" has an expired password/);
      }
      expect((await target`select 1 from pg_roles where rolname = ${credential.username}`).length).toBe(0);
      await expect(handOutCredential(s.db, s.requester, r.id)).rejects.toMatchObject({ status: 409 });

      // Deliveries out of order: the removal reaches the target before the activation, which then finds the grant ended and brings nothing back.
      const r3 = await approved(s, 600);
      const third = await handOutCredential(s.db, s.requester, r3.id);
      await releaseRequest(s.db, s.requester, r3.id, {});
      await dispatchAccessEvents(s.db);
      // Both made by one dispatch: put in the order under test, the removal first.
      const pending = (await getConnector(s.db, s.admin, s.connector.id, { status: "pending" })).deliveries.rows.sort((a, b) =>
        a.eventType === "grant.revoked" ? -1 : b.eventType === "grant.revoked" ? 1 : 0,
      );
      expect(pending.map((d) => d.eventType)).toEqual(["grant.revoked", "grant.activated"]);
      for (const d of pending) await deliverOne(s.db, d.delivery.id);
      expect(await login(third)).toMatch(/^refused: /);
      expect((await target`select 1 from pg_roles where rolname = ${third.username}`).length).toBe(0);
      const [late] = (await getConnector(s.db, s.admin, s.connector.id, {})).deliveries.rows.filter((d) => d.delivery.id === pending[1].delivery.id);
      expect(late.delivery.result).toMatchObject({ effect: "skipped" });

      // An NHI takes its own through its API token; its owner, signed in, does not.
      const nhi = await makeNhi(s.db, { systemId: s.system.id, ownerId: s.admin.identityId });
      await addEligibleIdentities(s.db, s.admin, s.policy.id, { identityIds: [nhi.id] });
      const token = await issueToken(s.db, s.admin, { name: uniq("nightly export"), scopes: ["jit:request"], identityId: nhi.id });
      const pipeline = (await callerForToken(s.db, (await authenticateToken(s.db, token.token))!))!;
      const asked = await createRequest(s.db, pipeline, asking(s.entitlement.id, { durationMinutes: 15 }));
      await decideRequest(s.db, s.approvers[1], asked.id, "approve", {});
      await expect(handOutCredential(s.db, s.admin, asked.id)).rejects.toMatchObject({ status: 403 });
      const own = await handOutCredential(s.db, pipeline, asked.id);
      expect(await login(own)).toBe("read 0");
      await releaseRequest(s.db, pipeline, asked.id, {});
      await deliverAll(s.db, s.admin, s.connector.id);
      expect(await login(own)).toMatch(/^refused: /);

      // The target unreachable: 502, nothing recorded.
      const r2 = await approved(s, 600);
      await s.db
        .update(connectors)
        .set({ config: { url: "postgres://postgres@127.0.0.1:1/postgres" } })
        .where(eq(connectors.id, s.connector.id));
      await expect(handOutCredential(s.db, s.requester, r2.id)).rejects.toMatchObject({ status: 502 });
      expect(await s.db.select().from(issuedCredentials).where(eq(issuedCredentials.requestId, r2.id))).toEqual([]);
      // A malformed or unknown id is not found.
      await expect(handOutCredential(s.db, s.requester, "nope\u0000")).rejects.toMatchObject({ status: 404 });
    },
    60_000,
  );

  // .ci/run starts one and names it: in CI the tests above must never be skipped for want of it.
  it("has its server in CI (elsewhere the tests above skip without one)", () => {
    expect(available || !process.env.CI, "no password-authenticating PostgreSQL server at CREDENTIAL_TEST_PG_URL").toBe(true);
  });
});
