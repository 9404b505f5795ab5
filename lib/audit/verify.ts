import { asc, gt } from "drizzle-orm";
import { z } from "zod";
import { GENESIS_HASH, keyedAuditHash, legacyAuditHash } from "@/db/audit-chain";
import { auditKeyRing, type AuditKeyRing } from "@/db/audit-key";
import type { Tx } from "@/db/client";
import { auditLog } from "@/db/schema";
import type { Caller } from "@/lib/caller";
import { checkpointDir, checkpointSignature, readCheckpoints, type StoredCheckpoint } from "./checkpoint";
import { requireAuditRole, type Operator } from "./operator";
import type { AuditAction } from "./actions";

/** The action of the retention purge's own audit row; its `after` is the anchor the remaining chain starts from. */
export const PURGE_ACTION = "audit.purged" satisfies AuditAction;
export const retentionAnchor = z.object({
  before: z.string(),
  throughId: z.number().int(),
  throughSeq: z.number().int().nonnegative(),
  throughHash: z.string(),
  rows: z.number().int().nonnegative(),
});
export type RetentionAnchor = z.infer<typeof retentionAnchor>;

export type ProblemKind =
  | "edited"
  | "deleted"
  | "relinked"
  | "start-deleted"
  | "forged-legacy"
  | "unknown-key"
  | "truncated"
  | "emptied"
  | "replaced"
  | "forged-checkpoint"
  | "checkpoint-unknown-key"
  | "damaged-checkpoint";

/** One finding, in words that say what is missing or altered; ids and counts for machines. */
export type AuditProblem = { kind: ProblemKind; message: string; fromId?: number; toId?: number; rows?: number; file?: string };

export type CheckpointSummary = { file: string; at: string; headId: number; headSeq: number };

export type AuditVerification = {
  ok: boolean;
  /** Rows whose signature (or pre-key hash) was checked. */
  checked: number;
  head: { id: number; seq: number } | null;
  /** Rows from before the chain was keyed (plain SHA-256), all before the first keyed row. */
  legacyRows: number;
  keyConfigured: boolean;
  /** The newest retention purge: the chain legitimately starts after its anchor. */
  retention: { rowId: number; at: string; by: string; before: string; throughSeq: number; throughId: number } | null;
  checkpoints: { dir: string; read: number; coveredByRetention: number; lastGood: CheckpointSummary | null };
  problems: AuditProblem[];
  /** Row and checkpoint-file problems past the first MAX_PROBLEMS, counted only. */
  omittedProblems: number;
  warnings: string[];
};

export const MAX_PROBLEMS = 100;

export type VerifyOptions = { checkpointDir?: string; keys?: AuditKeyRing; batchSize?: number };

/** "1 row", "1,234 rows": how the reports count. */
export const rowCount = (n: number) => `${n.toLocaleString("en")} ${n === 1 ? "row" : "rows"}`;
const positions = (from: number, to: number) => (from === to ? `chain position ${from}` : `chain positions ${from}–${to}`);
const are = (n: number) => (n === 1 ? "is" : "are");
const summaryOf = ({ file, checkpoint: c }: StoredCheckpoint): CheckpointSummary => ({ file, at: c.at, headId: c.headId, headSeq: c.headSeq });

type Row = typeof auditLog.$inferSelect;
type Run = { kind: "edited" | "forged-legacy" | "unknown-key"; keyId: string | null; fromId: number; toId: number; rows: number };

/**
 * Verifies the audit log without trusting the database: every row's signature
 * with the audit key (a database administrator cannot recompute one), every
 * link and position, where the chain starts (its first row ever, or the anchor
 * of the newest retention purge), and then the signed checkpoints kept outside
 * the database against the chain, which is what reveals deleted newest rows, an
 * emptied table, or a chain cut and continued. Streams the log in batches.
 * Admins and auditors (and the CLI's operator) only.
 */
export async function verifyAuditLog(db: Tx, who: Caller | Operator | null, options: VerifyOptions = {}): Promise<AuditVerification> {
  requireAuditRole(who, "admin", "auditor");
  const ring = options.keys ?? auditKeyRing();
  const store = await readCheckpoints(options.checkpointDir ?? checkpointDir());
  const problems: AuditProblem[] = [];
  // Consecutive rows that fail the same way become one problem, written out after the walk.
  const runs: Run[] = [];
  const warnings: string[] = [];
  // Row by row and file by file a log can go wrong millions of times: keep the first ones and
  // count the rest. What the chain's start and the checkpoints reveal is always reported.
  let omittedProblems = 0;
  const full = () => problems.length + runs.length >= MAX_PROBLEMS;
  const report = (problem: AuditProblem) => {
    if (full()) omittedProblems++;
    else problems.push(problem);
  };

  const valid: StoredCheckpoint[] = [];
  for (const stored of store.checkpoints) {
    const { file, checkpoint: c } = stored;
    const signature = checkpointSignature(ring, c);
    if (signature === "valid") valid.push(stored);
    else if (signature === "bad") {
      report({
        kind: "forged-checkpoint",
        file,
        message: `Checkpoint ${file} does not carry a valid signature: it was forged or altered (it claims row ${c.headId} at chain position ${c.headSeq}).`,
      });
    } else {
      report({
        kind: "checkpoint-unknown-key",
        file,
        message: `Checkpoint ${file} is signed with key ${c.keyId}, which is not configured: add it to AUDIT_PREVIOUS_KEYS if it is a retired key; otherwise it was forged.`,
      });
    }
  }
  for (const { file, error } of store.damaged) report({ kind: "damaged-checkpoint", file, message: `Checkpoint ${file} cannot be read: ${error}` });
  valid.sort((a, b) => a.checkpoint.headSeq - b.checkpoint.headSeq);
  // Checkpoints are written only by keyed writers, so rows past the oldest one cannot predate the key.
  const legacyLimit = valid[0]?.checkpoint.headSeq ?? Infinity;
  const wanted = new Set(valid.map((c) => c.checkpoint.headSeq));
  const observed = new Map<number, { id: number; hash: string }>();

  const openRuns = new Map<string, Run>();
  const mark = (kind: Run["kind"], keyId: string | null, row: Row, prevId: number | undefined) => {
    const group = `${kind}:${keyId}`;
    const run = openRuns.get(group);
    if (run && run.toId === prevId) {
      run.toId = row.id;
      run.rows++;
    } else if (full()) omittedProblems++;
    else {
      const started = { kind, keyId, fromId: row.id, toId: row.id, rows: 1 };
      runs.push(started);
      openRuns.set(group, started);
    }
  };

  let prev: Row | undefined;
  let first: Row | undefined;
  let firstKeyed: Row | undefined;
  let purge: { row: Row; anchor: RetentionAnchor } | undefined;
  let checked = 0;
  let legacyRows = 0;
  const deleted: [number, number][] = [];
  const batchSize = options.batchSize ?? 5000;

  for (let cursor = 0; ;) {
    const batch = await db.select().from(auditLog).where(gt(auditLog.id, cursor)).orderBy(asc(auditLog.id)).limit(batchSize);
    if (batch.length === 0) break;
    for (const row of batch) {
      first ??= row;
      if (prev) {
        const missing = row.seq - prev.seq - 1;
        if (missing > 0) {
          report({
            kind: "deleted",
            fromId: prev.id,
            toId: row.id,
            rows: missing,
            message: `${rowCount(missing)} deleted between row ${prev.id} and row ${row.id} (${positions(prev.seq + 1, row.seq - 1)}).`,
          });
          deleted.push([prev.seq + 1, row.seq - 1]);
        } else if (row.prevHash !== prev.hash || missing < 0) {
          report({
            kind: "relinked",
            fromId: prev.id,
            toId: row.id,
            message: `Row ${row.id} does not link to row ${prev.id} before it: row ${prev.id} or rows before it were rewritten, or its link was altered.`,
          });
        }
      }
      let expected: string | null = null;
      if (row.keyId === null) {
        if (firstKeyed || row.seq > legacyLimit) mark("forged-legacy", null, row, prev?.id);
        else {
          legacyRows++;
          expected = legacyAuditHash(row.prevHash, row);
        }
      } else {
        firstKeyed ??= row;
        const key = ring.byId.get(row.keyId);
        if (key) expected = keyedAuditHash(key, row.seq, row.prevHash, row);
        else mark("unknown-key", row.keyId, row, prev?.id);
      }
      if (expected !== null) {
        checked++;
        if (expected !== row.hash) mark("edited", null, row, prev?.id);
        else if (row.action === PURGE_ACTION && row.keyId !== null) {
          const anchor = retentionAnchor.safeParse(row.after);
          if (anchor.success) purge = { row, anchor: anchor.data };
        }
      }
      if (wanted.has(row.seq)) observed.set(row.seq, { id: row.id, hash: row.hash });
      prev = row;
      cursor = row.id;
    }
  }
  const head = prev;

  // Taken out of runs as they become problems, so the cap counts each once.
  for (const run of runs.splice(0)) {
    const which = run.rows === 1 ? `Row ${run.fromId}` : `Rows ${run.fromId}–${run.toId} (${rowCount(run.rows)})`;
    const base = { kind: run.kind, fromId: run.fromId, toId: run.toId, rows: run.rows };
    if (run.kind === "edited") {
      problems.push({
        ...base,
        message: `${which} ${run.rows === 1 ? "was altered: its content no longer matches its signature" : "no longer match their signatures: edited, or re-hashed without the audit key"}.`,
      });
    } else if (run.kind === "forged-legacy") {
      const keyedSince = firstKeyed && firstKeyed.id < run.fromId ? `row ${firstKeyed.id}` : `the checkpoint at chain position ${legacyLimit}`;
      problems.push({
        ...base,
        message: `${which} ${run.rows === 1 ? "carries" : "carry"} no key id although the chain was keyed since ${keyedSince}: forged to pass as rows from before the key.`,
      });
    } else if (ring.byId.size === 0) {
      problems.push({ ...base, message: `No audit key is configured (AUDIT_KEY or AUDIT_KEY_FILE): ${which.toLowerCase()} cannot be verified.` });
    } else {
      problems.push({
        ...base,
        message: `${which} ${run.rows === 1 ? "is" : "are"} signed with key ${run.keyId}, which is not configured: add it to AUDIT_PREVIOUS_KEYS if it is a retired key; otherwise ${run.rows === 1 ? "it was" : "they were"} forged.`,
      });
    }
  }

  // Where the chain starts: its first row ever, or right after the newest retention purge's anchor.
  const anchor = purge?.anchor;
  if (
    first &&
    !(first.seq === 1 && first.prevHash === GENESIS_HASH) &&
    !(anchor && first.seq === anchor.throughSeq + 1 && first.prevHash === anchor.throughHash)
  ) {
    const from = (anchor?.throughSeq ?? 0) + 1;
    const missing = first.seq - from;
    const after = anchor ? ` after the retention purge's anchor (position ${anchor.throughSeq})` : "";
    problems.push({
      kind: "start-deleted",
      toId: first.id,
      rows: Math.max(missing, 0),
      message:
        missing > 0
          ? `The oldest ${rowCount(missing)} of the chain${after} ${are(missing)} gone (${positions(from, first.seq - 1)}, before row ${first.id}); no retention purge accounts for ${missing === 1 ? "it" : "them"}.`
          : `Row ${first.id} does not start the chain, and no retention purge anchors it.`,
    });
    if (missing > 0) deleted.push([from, first.seq - 1]);
  }

  // The checkpoints against the chain.
  let lastGood: StoredCheckpoint | undefined;
  let beyondHead: StoredCheckpoint | undefined;
  let replaced: { at: StoredCheckpoint; after: StoredCheckpoint | undefined; later: number } | undefined;
  let coveredByRetention = 0;
  for (const stored of valid) {
    const c = stored.checkpoint;
    if (anchor && c.headSeq <= anchor.throughSeq) {
      coveredByRetention++;
      continue;
    }
    const seen = observed.get(c.headSeq);
    if (seen && seen.id === c.headId && seen.hash === c.headHash) {
      if (!replaced) lastGood = stored;
    } else if (seen) {
      if (replaced) replaced.later++;
      else replaced = { at: stored, after: lastGood, later: 0 };
    } else if (!head || c.headSeq > head.seq) beyondHead = stored;
    else if (!deleted.some(([from, to]) => c.headSeq >= from && c.headSeq <= to) && c.headSeq >= (first?.seq ?? 0)) {
      report({ kind: "deleted", toId: c.headId, message: `Row ${c.headId} (chain position ${c.headSeq}), recorded by checkpoint ${stored.file}, is missing.` });
    }
  }
  if (replaced) {
    const c = replaced.at.checkpoint;
    const since = replaced.after ? replaced.after.checkpoint.headSeq + 1 : (first?.seq ?? 1);
    const good = replaced.after ? `after row ${replaced.after.checkpoint.headId}, the last good checkpoint,` : "since the start";
    problems.push({
      kind: "replaced",
      toId: c.headId,
      message: `The row at chain position ${c.headSeq} is not row ${c.headId} recorded by checkpoint ${replaced.at.file} (${c.at}): rows ${good} were deleted and the chain continued without them (up to ${rowCount(c.headSeq - since + 1)}, ${positions(since, c.headSeq)}, replaced)${replaced.later ? `; ${replaced.later} later checkpoints disagree too` : ""}.`,
    });
  }
  if (beyondHead) {
    const c = beyondHead.checkpoint;
    const recorded = `checkpoint ${beyondHead.file} (${c.at}) recorded the chain through row ${c.headId}, position ${c.headSeq}`;
    if (!head) {
      problems.push({ kind: "emptied", toId: c.headId, rows: c.headSeq, message: `All audit rows are gone: the table is empty, but ${recorded}.` });
    } else {
      const lost = c.headSeq - head.seq;
      problems.push({
        kind: "truncated",
        fromId: head.id,
        toId: c.headId,
        rows: lost,
        message: `The newest ${rowCount(lost)} ${are(lost)} gone: ${positions(head.seq + 1, c.headSeq)}, after row ${head.id} through row ${c.headId}; ${recorded}.`,
      });
    }
  }

  if (head && valid.length === 0) {
    warnings.push(`No signed checkpoints in ${store.dir}: deleting the newest rows cannot be detected until the checkpoint job has written one.`);
  }
  if (legacyRows > 0 && !firstKeyed && valid.length === 0) {
    warnings.push(`${rowCount(legacyRows)} predate the audit key and nothing anchors them yet: the first keyed row or checkpoint will.`);
  }

  return {
    ok: problems.length === 0 && omittedProblems === 0,
    checked,
    head: head ? { id: head.id, seq: head.seq } : null,
    legacyRows,
    keyConfigured: ring.byId.size > 0,
    retention: purge
      ? {
          rowId: purge.row.id,
          at: purge.row.occurredAt.toISOString(),
          by: purge.row.actorLabel,
          before: purge.anchor.before,
          throughSeq: purge.anchor.throughSeq,
          throughId: purge.anchor.throughId,
        }
      : null,
    checkpoints: { dir: store.dir, read: store.checkpoints.length, coveredByRetention, lastGood: lastGood ? summaryOf(lastGood) : null },
    problems,
    omittedProblems,
    warnings,
  };
}
