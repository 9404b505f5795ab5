import { getTableColumns, getTableName, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { Tx } from "../client";

const BATCH_ROWS = 5000;

/**
 * Bulk insert for the seed: each batch travels as one JSON text parameter and
 * is expanded by json_populate_recordset on the server. One bind parameter per
 * statement (far from PostgreSQL's 65,535 limit), no giant SQL text, and several
 * times faster than a multi-row VALUES list on both PostgreSQL and PGlite.
 * Rows keep their order (serial ids follow the array). Columns left undefined in
 * every row take their database default; a column must be set in all rows or none.
 */
export async function insertAll<T extends PgTable>(tx: Tx, table: T, rows: readonly T["$inferInsert"][], batchRows = BATCH_ROWS): Promise<number> {
  if (rows.length === 0) return 0;
  const columns = getTableColumns(table);
  const keys = Object.keys(columns).filter((key) => rows.some((row) => (row as Record<string, unknown>)[key] !== undefined));
  for (const key of keys) {
    const column = columns[key];
    if (column.notNull && column.hasDefault && rows.some((row) => (row as Record<string, unknown>)[key] === undefined)) {
      throw new Error(`insertAll: ${key} is set in some rows and not others`);
    }
  }
  const names = keys.map((key) => columns[key].name);
  const list = sql.join(
    names.map((name) => sql.identifier(name)),
    sql`, `,
  );
  const selected = sql.join(
    names.map((name) => sql`j.${sql.identifier(name)}`),
    sql`, `,
  );
  for (let start = 0; start < rows.length; start += batchRows) {
    const batch = rows.slice(start, start + batchRows).map((row) => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) out[names[i]] = (row as Record<string, unknown>)[keys[i]] ?? null;
      return out;
    });
    const json = JSON.stringify(batch);
    await compactErrors(getTableName(table), () =>
      tx.execute(sql`insert into ${table} (${list})
        select ${selected} from json_populate_recordset(null::${table}, (${json}::text)::json) with ordinality as j
        order by j.ordinality`),
    );
  }
  return rows.length;
}

/**
 * Drivers attach the statement's parameters to their errors, here megabytes of
 * JSON: rethrow with the database's message and code only.
 */
export async function compactErrors<T>(target: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    // Drizzle wraps the driver's error (and prints the parameters in its message).
    const e = ((error as { cause?: unknown }).cause ?? error) as { message?: string; code?: string; detail?: string };
    const detail = [e.code && `code ${e.code}`, e.detail].filter(Boolean).join(", ");
    throw new Error(`seed: insert into ${target} failed: ${e.message ?? String(error)}${detail ? ` (${detail})` : ""}`);
  }
}
