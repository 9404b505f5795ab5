import { randomUUID } from "node:crypto";
import { openDatabase, resolveTarget, type Database } from "./client";
import { migrate } from "./migrate";

/**
 * A database of its own, empty and migrated, for tests that need the whole
 * database (the seed): a new PostgreSQL database next to DATABASE_URL's, or a
 * new in-memory PGlite. `close` drops what it created. `migrated: false` leaves
 * it empty, for tests that migrate it step by step.
 */
export async function isolatedDatabase({ migrated = true } = {}): Promise<Database> {
  const target = resolveTarget();
  if (target.kind !== "postgres") {
    const database = await openDatabase({ kind: "pglite", dataDir: null });
    if (migrated) await migrate(database);
    return database;
  }
  // Named after DATABASE_URL's database, so parallel runs against one server stay apart.
  const base =
    new URL(target.url).pathname
      .slice(1)
      .replace(/[^a-z0-9_]/gi, "_")
      .slice(0, 40) || "gov_test";
  const name = `${base}_iso_${randomUUID().replaceAll("-", "").slice(0, 12)}`.toLowerCase();
  const admin = new URL(target.url);
  admin.pathname = "/postgres";
  const { default: postgres } = await import("postgres");
  const sqlAdmin = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  await sqlAdmin.unsafe(`create database ${name}`);
  const url = new URL(target.url);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: "postgres", url: url.toString() });
  if (migrated) await migrate(database);
  return {
    ...database,
    close: async () => {
      await database.close();
      await sqlAdmin.unsafe(`drop database if exists ${name}`);
      await sqlAdmin.end();
    },
  };
}
