import fc from "fast-check";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, resolveTarget, type Database } from "./client";
import { queryColumns, queryRows } from "./rows";

let database: Database;
beforeAll(async () => {
  const target = resolveTarget();
  // PostgreSQL when DATABASE_URL names one, else an in-memory PGlite: the helper must read alike on both.
  database = await openDatabase(target.kind === "postgres" ? target : { kind: "pglite", dataDir: null });
});
afterAll(() => database.close());

describe("queryColumns", () => {
  it("reads the same rows as a plain query, whatever the text holds", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            // Any text PostgreSQL stores (no NUL), with separators, quotes, backslashes and astral characters.
            name: fc.string({ unit: "grapheme", maxLength: 20 }).map((s) => s.replaceAll("\u0000", "")),
            n: fc.integer(),
            flag: fc.boolean(),
            doc: fc.option(fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v).replaceAll("\\u0000", "")) as unknown)),
          }),
          { maxLength: 30 },
        ),
        async (rows) => {
          const values = JSON.stringify(rows.map((r, i) => ({ ...r, i })));
          const query = sql`select i, name, n, flag, doc from jsonb_to_recordset(${values}::jsonb) as x(i int, name text, n int, flag boolean, doc jsonb)`;
          const plain = await queryRows<Record<string, unknown>>(database.db, query);
          const read = await queryColumns(database.db, query, ["i", "name", "n", "flag", "doc"] as const);
          expect(read).toEqual(plain.map((r) => ({ ...r })));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("orders the rows as the database collates the columns named, ties by the next", async () => {
    const names = ["b", "B", "a", "é", "e", "Z", "10", "9", "a"];
    const values = JSON.stringify(names.map((name, i) => ({ name, i })));
    const query = sql`select name, i from jsonb_to_recordset(${values}::jsonb) as x(name text, i int)`;
    const expected = await queryRows<{ name: string; i: number }>(database.db, sql`select * from (${query}) q order by name, i desc`);
    // Ties broken by i descending here: order by name and then -i.
    const read = await queryColumns(database.db, sql`select name, i, -i as neg from (${query}) q`, ["name", "i", "neg"] as const, { orderBy: ["name", "neg"] });
    expect(read.map((r) => [r.name, r.i])).toEqual(expected.map((r) => [r.name, r.i]));
  });

  it("reads no rows as an empty list, and timestamps as ISO text", async () => {
    expect(await queryColumns(database.db, sql`select 1 as a where false`, ["a"] as const)).toEqual([]);
    const [row] = await queryColumns<{ at: string }>(database.db, sql`select '2026-12-04T10:00:00Z'::timestamptz as at`, ["at"] as const);
    expect(new Date(row.at).toISOString()).toBe("2026-12-04T10:00:00.000Z");
  });
});
