import type { Db } from "@/db/client";
import { postgresClientOf } from "@/db/client";
import { auditedTransaction, recordAudit, SYSTEM_ACTOR, type Actor } from "@/lib/audit/record";
import { ValidationError } from "@/lib/errors";
import { permissionSetsOf, type PermissionSet } from "@/lib/permissions/sets";
import { textOfEventProblem, type Stored, type UsageEventInput } from "./record";
import { storableWindow, unstorableReason } from "./retention";
import type { SourceUse, UsageSource } from "./source";
import { batchWriter, type BatchWriter } from "./writer";
import { recordSessionEvidence, type SessionEvidence } from "./session-evidence";

const SESSION_BATCH = 5000;

export type UsageImportSummary = {
  files: number;
  unreadableFiles: { file: string; error: string }[];
  records: number;
  /** Usage events stored by this import (`denied` of them denied attempts) and those already stored by an earlier one. */
  usage: Stored;
  skipped: Record<string, number>;
  /** What was skipped, where the source says exactly (an event it cannot map to an action), most frequent first. */
  skippedDetails: { reason: string; detail: string; records: number }[];
  /** Principals seen in the logs that the inventory does not have (import their system's inventory first), most active first. */
  unknownPrincipals: { principal: string; records: number }[];
  /** Services whose calls the files show are logged (CloudTrail: data events), in name order. */
  coveredServices: string[];
  /** Sources whose sessions are evidence: session events stored by this import (start, end, each use) and those already stored. */
  sessionEvents?: { inserted: number; duplicates: number };
  elapsedMs: number;
};

/**
 * Imports a usage source's files. Each record by a principal of the inventory
 * becomes a usage event of the action it exercised, attributed to the
 * entitlement that approves that action for the identity (none: used without
 * approval); refused records are denied attempts. Principals absent from the
 * inventory are counted and reported. Events are folded into the roll-ups as
 * they are stored, in batches, each batch its own transaction; importing the
 * same files again changes nothing. On PostgreSQL two writers store batches
 * (column arrays, one statement each) while the next files are read and
 * classified.
 */
export async function importUsage<R>(
  db: Db,
  source: UsageSource<R>,
  paths: string[],
  opts: { batchSize?: number; writers?: number; onBatch?: (s: UsageImportSummary) => void; actor?: Actor } = {},
): Promise<UsageImportSummary> {
  const started = performance.now();
  const client = postgresClientOf(db);
  const batchSize = opts.batchSize ?? (client ? 25_000 : 5000);
  const [index] = await Promise.all([source.principals(db), source.prepare?.()]);
  const permissions = new Map<string, PermissionSet>();
  const window = storableWindow();
  const summary: UsageImportSummary = {
    files: 0,
    unreadableFiles: [],
    records: 0,
    usage: { inserted: 0, duplicates: 0, denied: 0 },
    skipped: {},
    skippedDetails: [],
    unknownPrincipals: [],
    coveredServices: [],
    ...(source.sessions ? { sessionEvents: { inserted: 0, duplicates: 0 } } : {}),
    elapsedMs: 0,
  };
  // Session evidence, stored SESSION_BATCH events at a time in transactions of their own (idempotent by event id, as usage is).
  const evidence: SessionEvidence[] = [];
  /** A use within a session of a source whose sessions are evidence: a statement of that session. */
  const keepEvidence = async (r: SourceUse, by: { identityId: string; systemId: string }) => {
    if (!source.sessions || !r.sessionId) return;
    evidence.push({
      eventId: r.eventId,
      sessionId: r.sessionId,
      identityId: by.identityId,
      systemId: by.systemId,
      entitlementId: null,
      kind: "query",
      // What it exercised, not the statement's text (which may hold data).
      detail: r.action,
      outcome: r.outcome,
      occurredAt: r.occurredAt.toISOString(),
    });
    if (evidence.length >= SESSION_BATCH) await storeEvidence();
  };
  const storeEvidence = async () => {
    if (!evidence.length) return;
    const list = evidence.splice(0);
    const stored = await auditedTransaction(db, (tx) => recordSessionEvidence(tx, source.tag, list, { source: source.tag }));
    summary.sessionEvents!.inserted += stored.length;
    summary.sessionEvents!.duplicates += list.length - stored.length;
  };
  const unknown = new Map<string, number>();
  const details = new Map<string, { reason: string; detail: string; records: number }>();
  const covered = new Set<string>();
  const skip = (why: string) => (summary.skipped[why] = (summary.skipped[why] ?? 0) + 1);
  const unknownCaller = (label: string) => unknown.set(label, (unknown.get(label) ?? 0) + 1);
  const countDetail = (reason: string, detail: string) => {
    const key = `${reason}\u0000${detail}`;
    const seen = details.get(key);
    if (seen) seen.records++;
    else details.set(key, { reason, detail, records: 1 });
  };

  // On PostgreSQL several writers store batches at once, each on a connection
  // of its own. Every identity belongs to one writer, so concurrent batches
  // never touch the same roll-up or identity rows: no lock waits, no deadlocks.
  type Lane = { writer: BatchWriter; buffer: UsageEventInput[]; days: Set<string>; writing: Promise<void> | null };
  const lanes: Lane[] = [];
  const laneOf = new Map<string, Lane>();
  const writers = client ? Math.max(1, Math.min(opts.writers ?? 2, client.options.max)) : 1;
  for (let i = 0; i < writers; i++) lanes.push({ writer: batchWriter(db), buffer: [], days: new Set(), writing: null });

  const flush = async (lane: Lane) => {
    if (lane.buffer.length === 0) return;
    const events = lane.buffer;
    lane.buffer = [];
    // Permission sets are loaded outside the batch's transaction: PGlite has one connection.
    const unseen = [...new Set(events.map((e) => e.identityId))].filter((id) => !permissions.has(id));
    for (const [id, set] of await permissionSetsOf(db, unseen)) permissions.set(id, set);
    for (const e of events) e.entitlementId = permissions.get(e.identityId)!.approvalFor(e.action, e.systemId);
    const days = [...lane.days];
    lane.days.clear();
    // A writer stores one batch at a time; the next one is prepared meanwhile.
    if (lane.writing) await lane.writing;
    const writing = lane.writer.write(events, days, window).then((result) => {
      summary.usage.inserted += result.inserted;
      summary.usage.duplicates += result.duplicates;
      summary.usage.denied += result.denied;
      opts.onBatch?.(summary);
    });
    writing.catch(() => {}); // awaited (and thrown) before this writer's next batch or at the end
    lane.writing = writing;
    if (!lane.writer.concurrent) await writing;
  };

  const files = source.read(paths)[Symbol.asyncIterator]();
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
        const r = source.classify(record);
        if ("skip" in r) {
          skip(r.skip);
          if (r.principal) unknownCaller(r.principal);
          if (r.detail) countDetail(r.skip, r.detail);
          const mark = source.sessions && r.session;
          const by = mark && index.identities.get(mark.principal);
          // Session evidence is kept whatever its age; never from the future.
          if (mark && by && unstorableReason(mark.occurredAt, window) !== "in-the-future") {
            evidence.push({
              ...mark,
              occurredAt: mark.occurredAt.toISOString(),
              identityId: by.identityId,
              systemId: by.systemId,
              entitlementId: null,
              outcome: "success",
            });
            if (evidence.length >= SESSION_BATCH) await storeEvidence();
          }
          continue;
        }
        // Outside the retention no partition holds it, so a re-import could not see it was stored. Session
        // evidence is kept whatever its age: an old session keeps its statements.
        const unstorable = unstorableReason(r.occurredAt, window);
        if (unstorable) {
          skip(unstorable);
          const by = unstorable === "older-than-retention" && index.identities.get(r.principal.key);
          if (by && !textOfEventProblem(r)) await keepEvidence(r, by);
          continue;
        }
        const text = textOfEventProblem(r);
        if (text) {
          skip("unstorable-text");
          countDetail("unstorable-text", `${text.field} ${text.problem}`);
          continue;
        }
        const known = index.identities.get(r.principal.key);
        if (!known && r.principal.quietWhenUnknown) {
          skip(r.principal.quietWhenUnknown);
          continue;
        }
        if (!known) {
          skip("unknown-principal");
          unknownCaller(r.principal.label);
          continue;
        }
        let lane = laneOf.get(known.identityId);
        if (!lane) laneOf.set(known.identityId, (lane = lanes[laneOf.size % lanes.length]));
        if (r.coverage) {
          covered.add(r.coverage.service);
          // Coverage days belong to the system called, which may not be the caller's.
          const systemId = index.systems.get(r.coverage.system) ?? known.systemId;
          if (r.coverage.complete) lane.days.add(`${systemId}|${r.coverage.service}|${r.occurredAt.toISOString().slice(0, 10)}`);
        }
        for (const also of r.alsoActions ?? [])
          lane.buffer.push({
            eventId: `${r.eventId}#${also}`,
            source: source.tag,
            identityId: known.identityId,
            entitlementId: null,
            systemId: known.systemId,
            action: also,
            outcome: r.outcome,
            sessionId: r.sessionId,
            occurredAt: r.occurredAt,
          });
        lane.buffer.push({
          eventId: r.eventId,
          source: source.tag,
          identityId: known.identityId,
          entitlementId: null,
          systemId: known.systemId,
          action: r.action,
          outcome: r.outcome,
          sessionId: r.sessionId,
          occurredAt: r.occurredAt,
        });
        await keepEvidence(r, known);
        if (lane.buffer.length >= batchSize) await flush(lane);
      }
    }
    for (const lane of lanes) await flush(lane);
    await storeEvidence();
    for (const lane of lanes) if (lane.writing) await lane.writing;
  } finally {
    await Promise.allSettled(lanes.flatMap((l) => (l.writing ? [l.writing] : [])));
    await files.return?.(undefined);
  }
  summary.unknownPrincipals = [...unknown.entries()].sort((a, b) => b[1] - a[1]).map(([principal, records]) => ({ principal, records }));
  summary.coveredServices = [...covered].sort();
  summary.skippedDetails = [...details.values()].sort((a, b) => b.records - a.records || a.detail.localeCompare(b.detail));
  // Who imported what, once the batches are in (each batch is its own transaction).
  await auditedTransaction(db, (tx) =>
    recordAudit(tx, opts.actor ?? { ...SYSTEM_ACTOR, label: `import: ${source.tag}` }, {
      action: "import.usage",
      entityType: "usage_source",
      entityId: source.tag,
      after: {
        files: summary.files,
        records: summary.records,
        usage: summary.usage,
        skipped: summary.skipped,
        unreadableFiles: summary.unreadableFiles.length,
        ...(summary.sessionEvents ? { sessionEvents: summary.sessionEvents } : {}),
      },
    }),
  );
  summary.elapsedMs = performance.now() - started;
  return summary;
}

/** A source's records sent in a request body (JSON lines) rather than files: imported as one file, through the same pipeline. */
export async function importUsageBody<R>(
  db: Db,
  source: UsageSource<R>,
  body: string,
  parse: (text: string) => R[],
  actor: Actor,
): Promise<UsageImportSummary> {
  if (!body.trim()) throw new ValidationError({ body: ["Send the records, one JSON object per line."] });
  let records: R[];
  try {
    records = parse(body);
  } catch (e) {
    throw new ValidationError({ body: [`The body cannot be read: ${(e as Error).message}`] });
  }
  return importUsage(
    db,
    {
      ...source,
      read: async function* () {
        yield { file: "request body", records };
      },
    },
    [],
    { actor },
  );
}
