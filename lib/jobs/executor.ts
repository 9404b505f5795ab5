import { sql, type SQL } from "drizzle-orm";
import type { PGlite } from "@electric-sql/pglite";
import type { Tx } from "@/db/client";
import { queryRows } from "@/db/rows";

/** What pg-boss needs from a database: run `$n`-parameterised text, answer `{ rows }`. */
export type SqlExecutor = { executeSql: (text: string, values?: unknown[]) => Promise<{ rows: unknown[] }> };

// node-postgres (pg-boss's own driver) turns objects into JSON and dates into
// timestamps; the other drivers get the same shapes explicitly.
function serialise(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === "object" && !Array.isArray(value)) return JSON.stringify(value);
  return value;
}

/** pg-boss speaks `$1` placeholders; drizzle speaks SQL objects. Interleave text and values. */
export function sqlFromText(text: string, values: unknown[] = []): SQL {
  const parts = text.split(/\$(\d+)/);
  return sql.join(parts.map((part, i) => (i % 2 === 0 ? sql.raw(part) : sql`${serialise(values[Number(part) - 1])}`)));
}

/** Runs pg-boss statements inside a drizzle transaction, so a job commits or rolls back with the change that asked for it. */
export function transactionExecutor(tx: Tx): SqlExecutor {
  return { executeSql: async (text, values) => ({ rows: await queryRows(tx, sqlFromText(text, values)) }) };
}

/**
 * Embedded PGlite: parameterless text may hold several statements (pg-boss's
 * schema set-up), which only `exec` runs; everything else goes through `query`.
 */
export function pgliteExecutor(pglite: PGlite): SqlExecutor {
  return {
    async executeSql(text, values) {
      if (!values || values.length === 0) {
        const results = await pglite.exec(text);
        return { rows: results.at(-1)?.rows ?? [] };
      }
      return pglite.query(text, values.map(serialise));
    },
  };
}
