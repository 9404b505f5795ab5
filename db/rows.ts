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

/**
 * Many rows of a query, read as one value: each column aggregated into one
 * JSON array, zipped back into rows here. PGlite decodes every row of a
 * result on its own, so a query of tens of thousands of rows (an account's
 * entitlements, identities and grants) costs it three to four times what one
 * aggregated value does; PostgreSQL reads it as fast either way.
 *
 * `columns` names the query's output columns to return; `orderBy`, output
 * columns to sort the rows by (ascending, as the database collates them: an
 * ORDER BY inside the query does not reliably reach the aggregates). Values
 * arrive as JSON has them: text, numbers, booleans and jsonb as themselves,
 * timestamps as ISO strings, bigints as numbers (ask for those as text). The
 * aggregates of one query are fed the same rows in the same order, so the
 * arrays line up.
 */
export async function queryColumns<T extends Record<string, unknown>>(
  db: Tx,
  query: SQL,
  columns: readonly (keyof T & string)[],
  opts: { orderBy?: readonly (keyof T & string)[] } = {},
): Promise<T[]> {
  if (columns.length === 0) throw new Error("queryColumns: name at least one column");
  const arrays = sql.join(
    columns.map((c) => sql`json_agg(q.${sql.identifier(c)})`),
    sql`, `,
  );
  const orderBy = opts.orderBy ?? [];
  const from = orderBy.length
    ? sql`(select q0.*, row_number() over (order by ${sql.join(
        orderBy.map((c) => sql`q0.${sql.identifier(c)}`),
        sql`, `,
      )}) as "__position" from (${query}) q0) q`
    : sql`(${query}) q`;
  const position = orderBy.length ? sql`, json_agg(q."__position")` : sql``;
  const [row] = await queryRows<{ columns: string }>(db, sql`select json_build_array(${arrays}${position})::text as columns from ${from}`);
  const values = JSON.parse(row.columns) as (unknown[] | null)[];
  const n = values[0]?.length ?? 0;
  const out = new Array<T>(n);
  const positions = orderBy.length ? (values[columns.length] as number[]) : null;
  for (let i = 0; i < n; i++) {
    const r: Record<string, unknown> = {};
    for (let k = 0; k < columns.length; k++) r[columns[k]] = values[k]![i];
    out[positions ? positions[i] - 1 : i] = r as T;
  }
  return out;
}
