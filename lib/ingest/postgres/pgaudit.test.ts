import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entitlements, grants, identities, pamSessionEvents, pamSessions, usageRollups } from "@/db/schema";
import { reconcileIdentity } from "@/lib/reconciliation/actions";
import { makeGrant, testDb, uniq } from "@/lib/testing/harness";
import { importPgLog } from "./log-import";
import { importPostgresRoles } from "./roles-import";

// A real server with pgaudit, as .ci/run starts it: PostgreSQL 15 with shared_preload_libraries = pgaudit,
// jsonlog in PGAUDIT_TEST_LOG_DIR, log_timezone UTC. Without one the test says it was skipped.
const SERVER = process.env.PGAUDIT_TEST_URL;
const APP_PASSWORD = "app-role-test-only";
const LOG_DIR = process.env.PGAUDIT_TEST_LOG_DIR;
const p = `a${randomUUID().slice(0, 8)}`;
let admin: postgres.Sql | null = null;

beforeAll(async () => {
  if (!SERVER || !LOG_DIR) return;
  admin = postgres(SERVER, { max: 1, connect_timeout: 5, onnotice: () => {} });
  await admin.unsafe(`create extension if not exists pgaudit;
    create schema ${p}; create table ${p}.accounts (id int); create table ${p}.ledger (id int);
    create role ${p}_readers nologin; grant usage on schema ${p} to ${p}_readers; grant select on ${p}.accounts, ${p}.ledger to ${p}_readers;
    create role ${p}_app login password '${APP_PASSWORD}'; grant ${p}_readers to ${p}_app`);
});

afterAll(async () => {
  if (!admin) return;
  await admin.unsafe(`drop schema ${p} cascade; drop role ${p}_app; drop role ${p}_readers`);
  await admin.end({ timeout: 5 });
});

describe("a PostgreSQL server's roles and its pgaudit log, end to end", () => {
  it.skipIf(!SERVER || !LOG_DIR)("imports the roles, then the statements a role ran: the privileges it used are used, the others unused", async () => {
    const db = await testDb();
    const system = uniq("audited");
    const roles = await importPostgresRoles(db, { system, url: SERVER! });
    // The application role is granted a JIT window here: the sessions it opens meanwhile are its evidence.
    const [appIdentity] = await db
      .select()
      .from(identities)
      .where(and(eq(identities.systemId, roles.systemId), eq(identities.externalId, `${p}_app`)));
    const { grant: jit } = await makeGrant(db, appIdentity.id, { systemId: roles.systemId, type: "jit" });
    await db
      .update(grants)
      .set({ startsAt: new Date(Date.now() - 60_000), expiresAt: new Date(Date.now() + 3_600_000) })
      .where(eq(grants.id, jit.id));

    // The application role reads one table, and is refused a write it holds no privilege for.
    const url = new URL(SERVER!);
    url.username = `${p}_app`;
    // The server authenticates roles other than its admin by password, as .ci/run sets it up.
    url.password = APP_PASSWORD;
    const app = postgres(url.toString(), { max: 1, connect_timeout: 5, onnotice: () => {} });
    await app.unsafe(`select * from ${p}.accounts`);
    await expect(app.unsafe(`insert into ${p}.ledger values (1)`)).rejects.toThrow(/permission denied/);
    const [{ session }] = await app<
      { session: string }[]
    >`select to_hex(trunc(extract(epoch from backend_start))::int) || '.' || to_hex(pg_backend_pid()) as session from pg_stat_activity where pid = pg_backend_pid()`;
    await app.end({ timeout: 5 });

    // The logging collector writes a moment later; the disconnection last.
    const logged = async () => {
      const text = await readFile(path.join(LOG_DIR!, "postgresql.json"), "utf8");
      return text.split("\n").some((l) => l.includes(`"session_id":"${session}"`) && l.includes('"message":"disconnection:'));
    };
    for (let i = 0; i < 50 && !(await logged()); i++) await new Promise((r) => setTimeout(r, 200));
    const s = await importPgLog(db, { system, paths: [LOG_DIR!] });
    expect(s.usage.inserted).toBeGreaterThan(0);

    const [who] = await db
      .select()
      .from(identities)
      .where(and(eq(identities.name, `${p}_app`), eq(identities.externalId, `${p}_app`)));
    const [readers] = await db
      .select()
      .from(entitlements)
      .where(eq(entitlements.externalRef, `${p}_readers`));
    const [rollup] = await db
      .select()
      .from(usageRollups)
      .where(and(eq(usageRollups.identityId, who.id), eq(usageRollups.entitlementId, readers.id)));
    expect(rollup.successCount).toBe(1);
    const r = await reconcileIdentity(db, { identity: who.id });
    expect(Object.fromEntries(r.actions.map((a) => [a.action, a.status]))).toMatchObject({
      [`${p}.accounts:SELECT`]: "used",
      [`${p}.ledger:SELECT`]: "unused",
      // The insert the server refused: a denied attempt at the privilege it lacked, the table qualified from the statement.
      [`${p}.ledger:INSERT`]: "denied",
    });
    // The session, from its login to its logout, is evidence linked to the JIT grant that covered it.
    const [evidence] = await db
      .select()
      .from(pamSessions)
      .where(and(eq(pamSessions.source, `pg-log:${system}`), eq(pamSessions.sessionId, session)));
    expect(evidence).toMatchObject({ identityId: who.id, grantId: jit.id, outsideWindowCount: 0 });
    expect(evidence.endedAt).not.toBeNull();
    const events = (await db.select().from(pamSessionEvents).where(eq(pamSessionEvents.pamSessionId, evidence.id))).map(
      (e) => `${e.kind} ${e.outcome} ${e.detail}`,
    );
    // Its statements (the catalogue reads of the test's own query among them), the refused insert, its login and logout.
    expect(events).toEqual(
      expect.arrayContaining([
        `query success ${p}.accounts:SELECT`,
        `query denied ${p}.ledger:INSERT`,
        expect.stringMatching(/^start success connection authorized: user=/),
        expect.stringMatching(/^end success disconnection: session time: /),
      ]),
    );
    expect(evidence.eventCount).toBe(events.length);
    // Imported twice, the log adds nothing.
    const again = await importPgLog(db, { system, paths: [LOG_DIR!] });
    expect(again.usage.inserted).toBe(0);
    expect(again.sessionEvents?.inserted).toBe(0);
  });
});
