import { randomUUID } from "node:crypto";
import { openDatabase, resolveTarget, type Database } from "./client";
import { migrate } from "./migrate";

/**
 * A database of its own, empty and migrated, for tests that need the whole
 * database (the seed): a new PostgreSQL database next to DATABASE_URL's (named
 * after it), or a new in-memory PGlite. `close` drops what it created.
 */
export async function isolatedDatabase(): Promise<Database> {
  const target = resolveTarget();
  if (target.kind !== "postgres") {
    const database = await openDatabase({ kind: "pglite", dataDir: null });
    await migrate(database);
    return database;
  }
  // Named after the database it sits next to, so runs against different databases never mix.
  const beside = new URL(target.url).pathname.slice(1).replace(/[^a-z0-9_]/gi, "_").toLowerCase() || "gov";
  const name = `${beside.slice(0, 40)}_iso_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = new URL(target.url);
  admin.pathname = "/postgres";
  const { default: postgres } = await import("postgres");
  const sqlAdmin = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  await sqlAdmin.unsafe(`create database ${name}`);
  const url = new URL(target.url);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: "postgres", url: url.toString() });
  await migrate(database);
  return {
    ...database,
    close: async () => {
      await database.close();
      await sqlAdmin.unsafe(`drop database if exists ${name}`);
      await sqlAdmin.end();
    },
  };
}
