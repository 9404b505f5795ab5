import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entitlements, identities, usageRollups } from "@/db/schema";
import { reconcileIdentity } from "@/lib/reconciliation/actions";
import { testDb, uniq } from "@/lib/testing/harness";
import { importPgLog } from "./log-import";
import { importPostgresRoles } from "./roles-import";

// A real server with pgaudit, as .ci/run starts it: PostgreSQL 15 with shared_preload_libraries = pgaudit,
// jsonlog in PGAUDIT_TEST_LOG_DIR, log_timezone UTC. Without one the test says it was skipped.
const SERVER = process.env.PGAUDIT_TEST_URL;
const LOG_DIR = process.env.PGAUDIT_TEST_LOG_DIR;
const p = `a${randomUUID().slice(0, 8)}`;
let admin: postgres.Sql | null = null;

beforeAll(async () => {
  if (!SERVER || !LOG_DIR) return;
  admin = postgres(SERVER, { max: 1, connect_timeout: 5, onnotice: () => {} });
  await admin.unsafe(`create extension if not exists pgaudit;
    create schema ${p}; create table ${p}.accounts (id int); create table ${p}.ledger (id int);
    create role ${p}_readers nologin; grant usage on schema ${p} to ${p}_readers; grant select on ${p}.accounts, ${p}.ledger to ${p}_readers;
    create role ${p}_app login; grant ${p}_readers to ${p}_app`);
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
    await importPostgresRoles(db, { system, url: SERVER! });

    // The application role reads one table, and is refused a write it holds no privilege for.
    const url = new URL(SERVER!);
    url.username = `${p}_app`;
    url.password = "";
    const app = postgres(url.toString(), { max: 1, connect_timeout: 5, onnotice: () => {} });
    await app.unsafe(`select * from ${p}.accounts`);
    await expect(app.unsafe(`insert into ${p}.ledger values (1)`)).rejects.toThrow(/permission denied/);
    const [{ session }] = await app<
      { session: string }[]
    >`select to_hex(trunc(extract(epoch from backend_start))::int) || '.' || to_hex(pg_backend_pid()) as session from pg_stat_activity where pid = pg_backend_pid()`;
    await app.end({ timeout: 5 });

    // The logging collector writes a moment later.
    const logged = async () => (await readFile(path.join(LOG_DIR!, "postgresql.json"), "utf8")).includes(`"session_id":"${session}"`);
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
    });
    // Imported twice, the log adds nothing.
    expect((await importPgLog(db, { system, paths: [LOG_DIR!] })).usage.inserted).toBe(0);
  });
});
