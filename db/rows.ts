import { sql, type AnyColumn, type SQL } from "drizzle-orm";
import type { Tx } from "./client";

/** Runs raw SQL and returns its rows on either driver (postgres-js answers an array, PGlite { rows }). */
export async function queryRows<T>(db: Tx, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? []);
}

/**
 * A column of the outer query inside a correlated subquery. In a select from
 * one table drizzle prints the select list's columns bare ("id"), which the
 * subquery would resolve to its own table; a nested SQL chunk keeps the table name.
 */
export const outer = (column: AnyColumn): SQL => sql`${column}`;
