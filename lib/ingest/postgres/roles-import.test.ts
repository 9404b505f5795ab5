import { randomUUID } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entitlements, grants, identities } from "@/db/schema";
import type { Db } from "@/db/client";
import { permissionSetOf } from "@/lib/permissions/sets";
import { reconcileIdentity } from "@/lib/reconciliation/actions";
import { testDb, uniq } from "@/lib/testing/harness";
import { importPostgresRoles } from "./roles-import";

// A real server: the one CI and this machine run on 127.0.0.1:5432 (override with CONNECTOR_TEST_PG_URL).
const TARGET = process.env.CONNECTOR_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const p = `t${randomUUID().slice(0, 8)}`;
let admin: postgres.Sql | null = null;

beforeAll(async () => {
  const sql = postgres(TARGET, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
  } catch {
    await sql.end({ timeout: 1 });
    return;
  }
  admin = sql;
  await sql.unsafe(`create schema ${p}; create table ${p}.accounts (id int); create table ${p}.ledger (id int);
    create role ${p}_readers nologin; grant usage on schema ${p} to ${p}_readers; grant select on ${p}.accounts, ${p}.ledger to ${p}_readers;
    create role ${p}_writers nologin; grant insert, update on ${p}.ledger to ${p}_writers;
    create role ${p}_app login; grant ${p}_readers to ${p}_app; grant delete on ${p}.accounts to ${p}_app;
    create role ${p}_ops login createrole; grant ${p}_writers to ${p}_ops;
    create role ${p}_owner nologin; grant create, usage on schema ${p} to ${p}_owner; alter default privileges for role ${p}_owner in schema ${p} grant select on tables to ${p}_readers;
    alter default privileges for role ${p}_owner grant insert on tables to ${p}_app`);
});

afterAll(async () => {
  if (!admin) return;
  await admin.unsafe(
    `drop schema ${p} cascade; drop owned by ${p}_owner; drop role ${p}_owner; drop role ${p}_app; drop role ${p}_ops; drop role ${p}_readers; drop role ${p}_writers`,
  );
  await admin.end({ timeout: 5 });
});

const held = async (db: Db, systemId: string, role: string) => {
  const [who] = await db
    .select()
    .from(identities)
    .where(and(eq(identities.systemId, systemId), eq(identities.externalId, role)));
  const rows = await db
    .select({ ref: entitlements.externalRef, level: entitlements.privilegeLevel })
    .from(grants)
    .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
    .where(and(eq(grants.identityId, who.id), isNull(grants.revokedAt)))
    .orderBy(entitlements.externalRef);
  return { id: who.id, grants: rows.map((r) => `${r.ref} ${r.level}`).sort() };
};

describe("importing a PostgreSQL server's roles", () => {
  it("reads group roles as entitlements with their table privileges, login roles as identities, and memberships, attributes and direct privileges as grants", async (ctx) => {
    if (!admin) return ctx.skip();
    const db = await testDb();
    const system = uniq("pg");
    const s = await importPostgresRoles(db, { system, url: TARGET });
    expect(s.systemCreated).toBe(true);
    const app = await held(db, s.systemId, `${p}_app`);
    expect(app.grants).toEqual([`direct:${p}_app privileged`, `${p}_readers standard`].sort());
    const ops = await held(db, s.systemId, `${p}_ops`);
    expect(ops.grants).toEqual([`${p}_writers privileged`, "attribute:createrole admin"].sort());
    const set = await permissionSetOf(db, app.id);
    expect(set.approvalFor(`${p}.ledger:SELECT`)).not.toBeNull();
    expect(set.approvalFor(`${p}.ledger:INSERT`)).toBeNull();
    expect(set.approvalFor(`${p}.accounts:DELETE`)).not.toBeNull();
    // Default privileges: what the readers will get on tables the owner creates in the schema, and the app on the
    // owner's tables anywhere, as statements that say so. They approve no use: a table the owner creates comes with
    // the grant, which the next import reads.
    const ent = async (ref: string) =>
      (
        await db
          .select()
          .from(entitlements)
          .where(and(eq(entitlements.systemId, s.systemId), eq(entitlements.externalRef, ref)))
      )[0];
    const readers = await ent(`${p}_readers`);
    expect(readers.permissions).toContainEqual({
      effect: "Allow",
      actions: [`${p}.(future tables of ${p}_owner):SELECT`],
      conditional: true,
      allResources: true,
      sid: `default privileges: tables ${p}_owner creates in schema ${p}`,
    });
    expect(readers.privilegeLevel).toBe("standard");
    expect((await ent(`direct:${p}_app`)).permissions).toContainEqual(expect.objectContaining({ actions: [`*.(future tables of ${p}_owner):INSERT`] }));
    // Reconciled, a default privilege is not "unused": no statement can use it until the table exists.
    const reconciled = await reconcileIdentity(db, { identity: app.id });
    expect(reconciled.actions.find((a) => a.action === `${p}.(future tables of ${p}_owner):SELECT`)).toMatchObject({ status: "unobservable" });
    await admin.unsafe(`set role ${p}_owner; create table ${p}.next_quarter (id int); reset role`);
    const later = await importPostgresRoles(db, { system, url: TARGET });
    expect(later.grants.added).toBe(0);
    expect((await permissionSetOf(db, app.id)).approvalFor(`${p}.next_quarter:SELECT`)).not.toBeNull();

    // The server changes: the app leaves the readers; a re-import ends that grant and nothing else.
    await admin.unsafe(`revoke ${p}_readers from ${p}_app`);
    const again = await importPostgresRoles(db, { system, url: TARGET });
    expect(again.grants.removed).toBe(1);
    expect((await held(db, s.systemId, `${p}_app`)).grants).toEqual([`direct:${p}_app privileged`]);
  });

  it("refuses a bad system name or an unreachable server with the field's error, changing nothing", async () => {
    const db = await testDb();
    await expect(importPostgresRoles(db, { system: "bad name", url: TARGET })).rejects.toMatchObject({ fieldErrors: { system: [expect.any(String)] } });
    await expect(importPostgresRoles(db, { system: uniq("pg"), url: "mysql://x" })).rejects.toMatchObject({ fieldErrors: { url: [expect.any(String)] } });
    await expect(importPostgresRoles(db, { system: uniq("pg"), url: "postgres://nobody@127.0.0.1:1/none" })).rejects.toMatchObject({
      fieldErrors: { url: [expect.stringMatching(/could not be read/)] },
    });
  });
});
