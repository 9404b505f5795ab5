import path from "node:path";
import { fileURLToPath } from "node:url";
import { migrate as migratePg } from "drizzle-orm/postgres-js/migrator";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { sql } from "drizzle-orm";
import type { Database } from "./client";

const here = path.dirname(fileURLToPath(import.meta.url));
// Resolved from the working directory when bundled (the Next server runs from
// the project root) and from this file otherwise (CLI, tests).
export const MIGRATIONS_DIR = process.env.MIGRATIONS_DIR ?? (here.includes(".next") ? path.resolve("db/migrations") : path.join(here, "migrations"));

/** Applies every pending migration. Safe to call from several processes at once on PostgreSQL. */
export async function migrate({ db, target }: Database): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_DIR };
  if (target.kind === "pglite") {
    await migratePglite(db as never, config);
    return;
  }
  // Serialise concurrent starters (several app instances, CLI) on a session
  // lock held by one dedicated connection for the whole run.
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const client = postgres(target.url, { max: 1, onnotice: () => {} });
  try {
    const single = drizzle(client);
    await single.execute(sql`select pg_advisory_lock(7244001)`);
    try {
      await migratePg(single, config);
    } finally {
      await single.execute(sql`select pg_advisory_unlock(7244001)`);
    }
  } finally {
    await client.end();
  }
}
