import type { SQL } from "drizzle-orm";
import type { Tx } from "./client";

/** Runs raw SQL and returns its rows on either driver (postgres-js answers an array, PGlite { rows }). */
export async function queryRows<T>(db: Tx, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? []);
}
