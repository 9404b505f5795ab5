import { sql } from "drizzle-orm";
import { postgresClientOf, type Db } from "@/db/client";
import { auditedTransaction } from "@/lib/audit/record";
import { foldStatement, recordUsage, storableSpan, type Stored, type UsageEventInput } from "./record";

/** Stores one batch of events and the days of complete coverage seen with it (`system|service|YYYY-MM-DD`), in one transaction. */
export type BatchWriter = {
  write(events: UsageEventInput[], days: string[]): Promise<Stored>;
  /** Whether the next batch may be prepared while this one is written (a server, not PGlite's single connection). */
  concurrent: boolean;
};

const daysJson = (days: string[]) => JSON.stringify(days.map((d) => d.split("|")).map(([s, v, d]) => ({ s, v, d })));

/** Any database: each batch a transaction through recordUsage (one JSON parameter per 5,000 events). */
function transactionWriter(db: Db): BatchWriter {
  return {
    concurrent: false,
    write: (events, days) =>
      auditedTransaction(db, async (tx) => {
        if (days.length) {
          await tx.execute(sql`insert into data_event_days (system_id, service, day)
            select s, v, d::date from json_to_recordset((${daysJson(days)}::text)::json) as j(s uuid, v text, d text)
            on conflict do nothing`);
        }
        return recordUsage(tx, events);
      }),
  };
}

/**
 * PostgreSQL: each batch is one statement (one transaction) reading the events
 * from nine array parameters (a column each), storing the new ones, folding
 * them into the roll-ups and recording the coverage days: the same fold as
 * recordUsage, without a JSON document to build and parse. A batch that fails
 * on an event already stored changed nothing (one statement) and runs again.
 */
function arrayWriter(client: NonNullable<ReturnType<typeof postgresClientOf>>): BatchWriter {
  const input = `select * from unnest($1::text[], $2::text[], $3::text[]::uuid[], $4::text[]::uuid[], $5::text[]::uuid[], $6::text[], $7::text[], $8::text[], $9::text[]::timestamptz[]) as j(e, s, i, n, y, a, o, x, t)`;
  const dataDays = `data_days as (
        insert into data_event_days (system_id, service, day)
        select s, v, d::date from json_to_recordset(($10::text)::json) as j(s uuid, v text, d text)
        order by 1, 2, 3 -- in key order: two writers recording the same days never wait on each other in a cycle
        on conflict do nothing)`;
  const statement = {
    skip: { plain: foldStatement(input), withDays: foldStatement(input, dataDays) },
    fail: { plain: foldStatement(input, "", "fail"), withDays: foldStatement(input, dataDays, "fail") },
  };
  // New events are stored without a conflict check until a batch holds one already stored
  // (a re-import): that batch runs again checking, and so does every later one.
  let duplicates: "skip" | "fail" = "fail";
  return {
    concurrent: true,
    async write(events, days) {
      const span = storableSpan(events);
      if (!span) return { inserted: 0, duplicates: 0, denied: 0 };
      // Its own statement, committed at once: a new month's partition never waits on a batch's transaction.
      await client.unsafe("select usage_events_cover($1::timestamptz, $2::timestamptz)", [span.first.toISOString(), span.last.toISOString()]);
      const n = events.length;
      const cols = {
        e: new Array<string>(n),
        s: new Array<string>(n),
        i: new Array<string>(n),
        n: new Array<string | null>(n),
        y: new Array<string | null>(n),
        a: new Array<string>(n),
        o: new Array<string>(n),
        x: new Array<string | null>(n),
        t: new Array<string>(n),
      };
      for (let k = 0; k < n; k++) {
        const ev = events[k];
        cols.e[k] = ev.eventId;
        cols.s[k] = ev.source;
        cols.i[k] = ev.identityId;
        cols.n[k] = ev.entitlementId;
        cols.y[k] = ev.systemId;
        cols.a[k] = ev.action;
        cols.o[k] = ev.outcome;
        cols.x[k] = ev.sessionId ?? null;
        cols.t[k] = ev.occurredAt.toISOString();
      }
      // Text arrays (type 1009), cast in the statement.
      const params = [cols.e, cols.s, cols.i, cols.n, cols.y, cols.a, cols.o, cols.x, cols.t].map((c) => client.array(c as string[], 25)) as never[];
      const run = (mode: "skip" | "fail") =>
        days.length ? client.unsafe(statement[mode].withDays, [...params, daysJson(days)] as never[]) : client.unsafe(statement[mode].plain, params);
      let rows;
      try {
        rows = await run(duplicates);
      } catch (error) {
        if (duplicates === "skip" || (error as { code?: string }).code !== "23505") throw error;
        duplicates = "skip";
        rows = await run("skip");
      }
      const [row] = rows;
      const inserted = Number(row?.n ?? 0);
      return { inserted, duplicates: events.length - inserted, denied: Number(row?.denied ?? 0) };
    },
  };
}

/** The writer for this database: column arrays over a server connection, JSON batches in a transaction otherwise. */
export function batchWriter(db: Db): BatchWriter {
  const client = postgresClientOf(db);
  return client ? arrayWriter(client) : transactionWriter(db);
}
