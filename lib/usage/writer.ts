import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { sql } from "drizzle-orm";
import { postgresClientOf, type Db } from "@/db/client";
import { auditedTransaction } from "@/lib/audit/record";
import type { StorableWindow } from "./retention";
import { foldGroupsStatement, foldStatement, groupUsage, recordUsage, storableSpan, type Stored, type UsageEventInput } from "./record";

/** Stores one batch of events and the days of complete coverage seen with it (`system|service|YYYY-MM-DD`), in one transaction. */
export type BatchWriter = {
  /** `window`: the times the caller judged storable (an import judges by its start, however long it runs). */
  write(events: UsageEventInput[], days: string[], window: StorableWindow): Promise<Stored>;
  /** Whether the next batch may be prepared while this one is written (a server, not PGlite's single connection). */
  concurrent: boolean;
};

const daysJson = (days: string[]) => JSON.stringify(days.map((d) => d.split("|")).map(([s, v, d]) => ({ s, v, d })));

/** Records the coverage days of the JSON array that `json`, a parameter placeholder, stands for. */
const insertDataDays = (json: string) => `insert into data_event_days (system_id, service, day)
        select s, v, d::date from json_to_recordset((${json}::text)::json) as j(s uuid, v text, d text)
        order by 1, 2, 3 -- in key order: two writers recording the same days never wait on each other in a cycle
        on conflict do nothing`;
const [daysBefore, daysAfter] = insertDataDays("$json").split("$json");

/** Any database: each batch a transaction through recordUsage (one JSON parameter per 5,000 events). */
function transactionWriter(db: Db): BatchWriter {
  return {
    concurrent: false,
    write: (events, days, window) =>
      auditedTransaction(db, async (tx) => {
        if (days.length) await tx.execute(sql`${sql.raw(daysBefore)}${daysJson(days)}${sql.raw(daysAfter)}`);
        return recordUsage(tx, events, window);
      }),
  };
}

/** A value in COPY's text format: backslash, tab, newline and carriage return escaped; null as \\N. */
function copyValue(v: string | null): string {
  if (v === null) return "\\N";
  return /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r")) : v;
}

/** Coverage days as a CTE of the fold, from the JSON parameter `$n`. */
const dataDaysFrom = (n: number) => `data_days as (${insertDataDays(`$${n}`)})`;

/**
 * PostgreSQL: each batch is one transaction that loads the events by COPY
 * into a temporary table of the connection (emptied at commit), then one
 * statement stores them and folds the roll-ups. New events are stored
 * without a conflict check and the roll-ups folded from the groups this
 * process computed of them (groupUsage), so the server does not group the
 * batch again. A batch holding an event already stored (a re-import) fails on
 * the key, changes nothing, and runs again the checking way (recordUsage's
 * fold, which stores only the new events and groups those); so does every
 * later batch of the import.
 *
 * COPY goes into a table without constraints: postgres.js 3.4 never settles
 * a COPY the server refuses (porsager/postgres#1173; the transaction would
 * hang, its connection leaked), so a COPY here must not be refusable. Its
 * columns are text, uuid and timestamptz fed with the inventory's ids and
 * ISO times; the one text PostgreSQL refuses, a NUL character, is refused
 * earlier (storableText).
 */
function copyWriter(client: NonNullable<ReturnType<typeof postgresClientOf>>): BatchWriter {
  const store = `stored as (
        insert into usage_events (event_id, source, identity_id, entitlement_id, system_id, action, outcome, session_id, occurred_at)
        select e, s, i, n, y, a, o::usage_outcome, x, t from usage_batch)`;
  const statements = {
    fresh: { plain: foldGroupsStatement(store), withDays: foldGroupsStatement(`${store},\n      ${dataDaysFrom(2)}`) },
    checked: { plain: foldStatement("select * from usage_batch"), withDays: foldStatement("select * from usage_batch", dataDaysFrom(1)) },
  };
  let mode: "fresh" | "checked" = "fresh";
  return {
    concurrent: true,
    async write(events, days, window) {
      const span = storableSpan(events, window);
      if (!span) return { inserted: 0, duplicates: 0, denied: 0 };
      // Its own statement, committed at once: the month's partition exists before the batch's transaction begins.
      await client.unsafe("select usage_events_cover($1::timestamptz, $2::timestamptz)", [span.first.toISOString(), span.last.toISOString()]);
      const lines = new Array<string>(events.length);
      for (let k = 0; k < events.length; k++) {
        const ev = events[k];
        lines[k] =
          `${copyValue(ev.eventId)}\t${copyValue(ev.source)}\t${ev.identityId}\t${ev.entitlementId ?? "\\N"}\t${ev.systemId ?? "\\N"}\t` +
          `${copyValue(ev.action)}\t${ev.outcome}\t${copyValue(ev.sessionId ?? null)}\t${ev.occurredAt.toISOString()}\n`;
      }
      const body = lines.join("");
      const daysParam = days.length ? [daysJson(days)] : [];
      const run = (how: "fresh" | "checked") =>
        client.begin(async (tx) => {
          await tx.unsafe(`create temp table if not exists usage_batch
            (e text, s text, i uuid, n uuid, y uuid, a text, o text, x text, t timestamptz) on commit delete rows`);
          await pipeline(Readable.from([body]), await tx.unsafe("copy usage_batch from stdin").writable());
          const statement = days.length ? statements[how].withDays : statements[how].plain;
          return how === "fresh" ? tx.unsafe(statement, [JSON.stringify(groupUsage(events)), ...daysParam]) : tx.unsafe(statement, daysParam);
        });
      let rows;
      try {
        rows = await run(mode);
      } catch (error) {
        if (mode === "checked" || (error as { code?: string }).code !== "23505") throw error;
        mode = "checked";
        rows = await run(mode);
      }
      const [row] = rows;
      const inserted = Number(row?.n ?? 0);
      return { inserted, duplicates: events.length - inserted, denied: Number(row?.denied ?? 0) };
    },
  };
}

/** The writer for this database: COPY over a server connection, JSON batches in a transaction otherwise. */
export function batchWriter(db: Db): BatchWriter {
  const client = postgresClientOf(db);
  return client ? copyWriter(client) : transactionWriter(db);
}
