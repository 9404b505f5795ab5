import { eq, sql } from "drizzle-orm";
import { postgresClientOf, type Db } from "@/db/client";
import { identities, systems } from "@/db/schema";
import { permissionSetsOf, type PermissionSet } from "@/lib/permissions/sets";
import { foldStatement, recordUsage, type Stored, type UsageEventInput } from "@/lib/usage/record";
import { observability } from "@/lib/permissions/aws/catalogue";
import { iamTypeOf } from "./import-aws-iam";
import { classifyRecord, readCloudTrail } from "./aws/cloudtrail";
import { auditedTransaction } from "@/lib/audit/record";

export const CLOUDTRAIL_SOURCE = "cloudtrail";

export type TrailImportSummary = {
  files: number;
  unreadableFiles: { file: string; error: string }[];
  records: number;
  /** Usage events stored by this import (`denied` of them denied attempts) and those already stored by an earlier one. */
  usage: Stored;
  skipped: Record<string, number>;
  /** Principals seen in the logs that the inventory does not have (import their account's IAM first), most active first. */
  unknownPrincipals: { principal: string; records: number }[];
  dataEventServices: string[];
  elapsedMs: number;
};

type Known = { identityId: string; systemId: string };

// Asked with no data-event services seen, observability() says whether an action is a data-event action at all.
const NO_SERVICES: ReadonlySet<string> = new Set();

/** Users and roles of every AWS account in the inventory, keyed as CloudTrail principals are. */
async function principalIndex(db: Db) {
  const rows = await db
    .select({
      id: identities.id,
      name: identities.name,
      kind: identities.kind,
      attributes: identities.attributes,
      systemId: systems.id,
      accountId: systems.externalId,
    })
    .from(identities)
    .innerJoin(systems, eq(systems.id, identities.systemId))
    .where(sql`${systems.kind} = 'aws_account' and ${identities.status} <> 'decommissioned'`);
  const index = new Map<string, Known>();
  for (const r of rows) index.set(`${r.accountId}:${iamTypeOf(r)}:${r.name}`, { identityId: r.id, systemId: r.systemId });
  // Every AWS account system, including those whose identities are all gone: data-event days belong to the account called.
  const accounts = new Map<string, string>();
  const systemRows = await db.select({ id: systems.id, accountId: systems.externalId }).from(systems).where(eq(systems.kind, "aws_account"));
  for (const s of systemRows) if (s.accountId) accounts.set(s.accountId, s.id);
  return { index, accounts };
}

/** Stores one batch of events and the data-event days seen with it, in one transaction. */
type BatchWriter = {
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
 * them into the roll-ups and recording the data-event days: the same fold as
 * recordUsage, without a JSON document to build and parse.
 */
function arrayWriter(client: NonNullable<ReturnType<typeof postgresClientOf>>): BatchWriter {
  const input = `select * from unnest($1::text[], $2::text[], $3::text[]::uuid[], $4::text[]::uuid[], $5::text[]::uuid[], $6::text[], $7::text[], $8::text[], $9::text[]::timestamptz[]) as j(e, s, i, n, y, a, o, x, t)`;
  const plain = foldStatement(input);
  const withDays = foldStatement(
    input,
    `data_days as (
        insert into data_event_days (system_id, service, day)
        select s, v, d::date from json_to_recordset(($10::text)::json) as j(s uuid, v text, d text)
        order by 1, 2, 3 -- in key order: two writers recording the same days never wait on each other in a cycle
        on conflict do nothing)`,
  );
  return {
    concurrent: true,
    async write(events, days) {
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
      const [row] = days.length ? await client.unsafe(withDays, [...params, daysJson(days)] as never[]) : await client.unsafe(plain, params);
      const inserted = Number(row?.n ?? 0);
      return { inserted, duplicates: events.length - inserted, denied: Number(row?.denied ?? 0) };
    },
  };
}

/**
 * Imports CloudTrail log files (`{"Records": [...]}`, .json or .json.gz,
 * directories searched recursively). Each record by a known IAM user or role
 * becomes a usage event of the action it exercised, attributed to the
 * entitlement that approves that action for the principal (none: used
 * without approval); records with an error code are denied attempts. Calls by
 * AWS services and anonymous callers are attributed to nobody. Principals
 * absent from the inventory are counted and reported. Events are folded into
 * the roll-ups as they are stored, in batches, each batch its own transaction;
 * re-importing the same files changes nothing. On PostgreSQL two writers
 * store batches (column arrays, one statement each) while the next files are
 * read and classified.
 */
export async function importCloudTrail(
  db: Db,
  paths: string[],
  opts: { batchSize?: number; writers?: number; onBatch?: (s: TrailImportSummary) => void } = {},
): Promise<TrailImportSummary> {
  const started = performance.now();
  const client = postgresClientOf(db);
  const batchSize = opts.batchSize ?? (client ? 25_000 : 5000);
  const { index, accounts } = await principalIndex(db);
  const permissions = new Map<string, PermissionSet>();
  const summary: TrailImportSummary = {
    files: 0,
    unreadableFiles: [],
    records: 0,
    usage: { inserted: 0, duplicates: 0, denied: 0 },
    skipped: {},
    unknownPrincipals: [],
    dataEventServices: [],
    elapsedMs: 0,
  };
  const unknown = new Map<string, number>();
  const dataServices = new Set<string>();

  // On PostgreSQL several writers store batches at once, each on a connection
  // of its own. Every identity belongs to one writer, so concurrent batches
  // never touch the same roll-up or identity rows: no lock waits, no deadlocks.
  type Lane = { writer: BatchWriter; buffer: UsageEventInput[]; days: Set<string>; writing: Promise<void> | null };
  const lanes: Lane[] = [];
  const laneOf = new Map<string, Lane>();
  const writers = client ? Math.max(1, Math.min(opts.writers ?? 2, client.options.max)) : 1;
  for (let i = 0; i < writers; i++) lanes.push({ writer: client ? arrayWriter(client) : transactionWriter(db), buffer: [], days: new Set(), writing: null });

  const flush = async (lane: Lane) => {
    if (lane.buffer.length === 0) return;
    const events = lane.buffer;
    lane.buffer = [];
    // Permission sets are loaded outside the batch's transaction: PGlite has one connection.
    const unseen = [...new Set(events.map((e) => e.identityId))].filter((id) => !permissions.has(id));
    for (const [id, set] of await permissionSetsOf(db, unseen)) permissions.set(id, set);
    for (const e of events) e.entitlementId = permissions.get(e.identityId)!.approvalFor(e.action);
    const days = [...lane.days];
    lane.days.clear();
    // A writer stores one batch at a time; the next one is prepared meanwhile.
    if (lane.writing) await lane.writing;
    const writing = lane.writer.write(events, days).then((result) => {
      summary.usage.inserted += result.inserted;
      summary.usage.duplicates += result.duplicates;
      summary.usage.denied += result.denied;
      opts.onBatch?.(summary);
    });
    writing.catch(() => {}); // awaited (and thrown) before this writer's next batch or at the end
    lane.writing = writing;
    if (!lane.writer.concurrent) await writing;
  };

  const files = readCloudTrail(paths)[Symbol.asyncIterator]();
  try {
    let next = files.next();
    for (;;) {
      const step = await next;
      if (step.done) break;
      // Read (and gunzip) the following file while this one is classified.
      next = files.next();
      next.catch(() => {});
      const file = step.value;
      summary.files++;
      if ("error" in file) {
        summary.unreadableFiles.push(file);
        continue;
      }
      for (const record of file.records) {
        summary.records++;
        const r = classifyRecord(record);
        if ("skip" in r) {
          summary.skipped[r.skip] = (summary.skipped[r.skip] ?? 0) + 1;
          if (r.skip === "unattributable" && r.principalKey) unknown.set(r.principalKey, (unknown.get(r.principalKey) ?? 0) + 1);
          continue;
        }
        const known = index.get(r.principal.key);
        if (!known) {
          summary.skipped["unknown-principal"] = (summary.skipped["unknown-principal"] ?? 0) + 1;
          const label = r.principal.arn ?? r.principal.key;
          unknown.set(label, (unknown.get(label) ?? 0) + 1);
          continue;
        }
        let lane = laneOf.get(known.identityId);
        if (!lane) laneOf.set(known.identityId, (lane = lanes[laneOf.size % lanes.length]));
        if (r.dataEvent) {
          const service = r.action.slice(0, r.action.indexOf(":"));
          const systemId = accounts.get(r.accountId) ?? known.systemId;
          dataServices.add(service);
          if (observability(r.action, NO_SERVICES) === "data-event") lane.days.add(`${systemId}|${service}|${r.occurredAt.toISOString().slice(0, 10)}`);
        }
        lane.buffer.push({
          eventId: r.eventId,
          source: CLOUDTRAIL_SOURCE,
          identityId: known.identityId,
          entitlementId: null,
          systemId: known.systemId,
          action: r.action,
          outcome: r.outcome,
          sessionId: r.sessionName,
          occurredAt: r.occurredAt,
        });
        if (lane.buffer.length >= batchSize) await flush(lane);
      }
    }
    for (const lane of lanes) await flush(lane);
    for (const lane of lanes) if (lane.writing) await lane.writing;
  } finally {
    await Promise.allSettled(lanes.flatMap((l) => (l.writing ? [l.writing] : [])));
    await files.return?.(undefined);
  }
  summary.unknownPrincipals = [...unknown.entries()].sort((a, b) => b[1] - a[1]).map(([principal, records]) => ({ principal, records }));
  summary.dataEventServices = [...dataServices].sort();
  summary.elapsedMs = performance.now() - started;
  return summary;
}
