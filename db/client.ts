import { mkdirSync } from "node:fs";
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A database handle or an open transaction: domain functions accept either. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0] | Db;

export type DatabaseTarget = { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string | null };

export const DEFAULT_PGLITE_DIR = ".data/pglite";

/**
 * DATABASE_URL unset: embedded PGlite in ./.data/pglite.
 * pglite:<dir> another directory, pglite:memory in memory, postgres://… a server.
 */
export function resolveTarget(url = process.env.DATABASE_URL): DatabaseTarget {
  if (!url) return { kind: "pglite", dataDir: path.resolve(DEFAULT_PGLITE_DIR) };
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) return { kind: "postgres", url };
  if (url.startsWith("pglite:")) {
    const rest = url.slice("pglite:".length);
    return { kind: "pglite", dataDir: rest === "memory" ? null : path.resolve(rest) };
  }
  throw new Error(`DATABASE_URL must be postgres://…, pglite:<dir> or pglite:memory, not "${url}"`);
}

export type Database = {
  db: Db;
  target: DatabaseTarget;
  /** The embedded engine itself, for the job runner's multi-statement SQL; null on PostgreSQL. */
  pglite: import("@electric-sql/pglite").PGlite | null;
  close: () => Promise<void>;
};

// The postgres.js client behind each PostgreSQL handle, for the few bulk paths
// drizzle does not express (array parameters of a CloudTrail import). Keyed by
// the handle so domain code keeps taking a Db.
const postgresClients = new WeakMap<object, import("postgres").Sql>();

/** The postgres.js client behind a handle opened by openDatabase, or null (PGlite, or a transaction). */
export function postgresClientOf(db: Tx): import("postgres").Sql | null {
  return postgresClients.get(db) ?? null;
}

export async function openDatabase(target = resolveTarget()): Promise<Database> {
  if (target.kind === "postgres") {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const client = postgres(target.url, {
      max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
      onnotice: () => {},
    });
    const db = drizzle(client, { schema }) as unknown as Db;
    postgresClients.set(db, client);
    return { db, target, pglite: null, close: () => client.end() };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
  // pg_trgm backs the substring searches' indexes (migration 0016), as it does on PostgreSQL.
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  const client = await PGlite.create(target.dataDir ?? undefined, { extensions: { pg_trgm } });
  const db = drizzle(client, { schema }) as unknown as Db;
  return { db, target, pglite: client, close: () => client.close() };
}

// One database per process. Dev hot reloads re-evaluate modules, so the handle
// lives on globalThis; PGlite in particular must never be opened twice.
const globalForDb = globalThis as unknown as { __govDb?: Promise<Database> };

export function getDatabase(): Promise<Database> {
  globalForDb.__govDb ??= openDatabase();
  return globalForDb.__govDb;
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}

export function isDemoMode(target = resolveTarget()): boolean {
  if (process.env.DEMO !== undefined) return process.env.DEMO === "1" || process.env.DEMO === "true";
  return target.kind === "pglite";
}
