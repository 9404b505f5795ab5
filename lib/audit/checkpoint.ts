import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { access, mkdir, open, readdir, readFile, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { desc } from "drizzle-orm";
import { z } from "zod";
import { canonicalJson } from "@/db/json";
import { auditKeyRing, currentAuditKey, type AuditKey, type AuditKeyRing } from "@/db/audit-key";
import type { Db } from "@/db/client";
import { auditLog } from "@/db/schema";
import { enqueue } from "@/lib/jobs/enqueue";
import { auditedTransaction } from "./record";

/**
 * A signed statement, kept outside the database, that the audit chain had
 * reached a given row: its id, its position and its hash. Rows are signed, so a
 * database administrator cannot forge or re-link them, but they can delete the
 * newest ones (or all of them) and leave a chain that is intact as far as it
 * goes. The checkpoints remember how far it went.
 */
export const CHECKPOINT_TYPE = "gov.audit.checkpoint";
export const DELIVER_CHECKPOINT_QUEUE = "audit.checkpoint.deliver";

const checkpointSchema = z.object({
  type: z.literal(CHECKPOINT_TYPE),
  version: z.literal(1),
  headId: z.number().int().positive(),
  headSeq: z.number().int().positive(),
  headHash: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.iso.datetime(),
  keyId: z.string().min(1),
  signature: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Checkpoint = z.infer<typeof checkpointSchema>;
type Head = { id: number; seq: number; hash: string };

/** Where checkpoints are written and read: AUDIT_CHECKPOINT_DIR, by default ./.data/audit-checkpoints. */
export const checkpointDir = () => path.resolve(process.env.AUDIT_CHECKPOINT_DIR || ".data/audit-checkpoints");

const signatureOf = (key: AuditKey, body: Omit<Checkpoint, "signature">) => createHmac("sha256", key.checkpoints).update(canonicalJson(body)).digest("hex");

export function signCheckpoint(key: AuditKey, head: Head, at: Date): Checkpoint {
  const body = { type: CHECKPOINT_TYPE, version: 1, headId: head.id, headSeq: head.seq, headHash: head.hash, at: at.toISOString(), keyId: key.id } as const;
  return { ...body, signature: signatureOf(key, body) };
}

/** Whether a checkpoint was signed by one of the configured keys. */
export function checkpointSignature(ring: AuditKeyRing, checkpoint: Checkpoint): "valid" | "bad" | "unknown-key" {
  const key = ring.byId.get(checkpoint.keyId);
  if (!key) return "unknown-key";
  const { signature, ...body } = checkpoint;
  const expected = Buffer.from(signatureOf(key, body), "hex");
  return timingSafeEqual(expected, Buffer.from(signature, "hex")) ? "valid" : "bad";
}

// One file per head: sorted by name is sorted by position, and a head already
// checkpointed is not written again.
const fileNameOf = (c: Checkpoint) => `checkpoint-${String(c.headSeq).padStart(12, "0")}-${c.headHash.slice(0, 16)}.json`;
const isCheckpointFile = (name: string) => /^checkpoint-\d+-[0-9a-f]+\.json$/.test(name);

export type StoredCheckpoint = { file: string; checkpoint: Checkpoint };
export type CheckpointStore = { dir: string; found: boolean; checkpoints: StoredCheckpoint[]; damaged: { file: string; error: string }[] };

/** Every checkpoint in a directory (a missing directory holds none); files that do not parse are reported as damaged. */
export async function readCheckpoints(dir: string): Promise<CheckpointStore> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter(isCheckpointFile).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { dir, found: false, checkpoints: [], damaged: [] };
    throw error;
  }
  const store: CheckpointStore = { dir, found: true, checkpoints: [], damaged: [] };
  for (const file of names) {
    try {
      const parsed = checkpointSchema.safeParse(JSON.parse(await readFile(path.join(dir, file), "utf8")));
      if (parsed.success) store.checkpoints.push({ file, checkpoint: parsed.data });
      else store.damaged.push({ file, error: parsed.error.issues.map((i) => `${i.path.join(".") || "file"}: ${i.message}`).join("; ") });
    } catch (error) {
      store.damaged.push({ file, error: (error as Error).message });
    }
  }
  return store;
}

/** Temp file, fsync, rename, fsync the directory: a reader sees the whole checkpoint or none, even after a crash. */
async function writeAtomically(dir: string, name: string, text: string) {
  await mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${name}.${randomUUID()}.tmp`);
  const handle = await open(temp, "wx", 0o644);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path.join(dir, name));
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  const directory = await open(dir, "r");
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

// A newer checkpoint implies every older one (rows are signed and linked), so
// past a week one per day is kept: verification reads them all. Only checkpoints
// with a valid signature are weighed: a forged one must neither displace a real
// one nor disappear before verification reports it.
const KEEP_ALL_DAYS = 7;

async function thinCheckpoints(dir: string, now: Date) {
  const ring = auditKeyRing();
  const { checkpoints } = await readCheckpoints(dir);
  const cutoff = now.getTime() - KEEP_ALL_DAYS * 86_400_000;
  const newestOfDay = new Map<string, StoredCheckpoint>();
  for (const c of checkpoints.filter((c) => checkpointSignature(ring, c.checkpoint) === "valid")) {
    if (Date.parse(c.checkpoint.at) >= cutoff) continue;
    const day = c.checkpoint.at.slice(0, 10);
    const kept = newestOfDay.get(day);
    if (!kept || c.checkpoint.headSeq > kept.checkpoint.headSeq) {
      if (kept) await unlink(path.join(dir, kept.file)).catch(() => {});
      newestOfDay.set(day, c);
    } else await unlink(path.join(dir, c.file)).catch(() => {});
  }
}

export type CheckpointWritten = { checkpoint: Checkpoint; file: string; written: boolean };

/**
 * Signs the chain's current head and writes it to the checkpoint directory;
 * when AUDIT_CHECKPOINT_URL is set, also queues its delivery to that receiver
 * (a durable job, retried). A head already checkpointed is not written again.
 * Returns null for an empty chain: there is nothing to pin.
 */
export async function checkpointAuditChain(db: Db, options: { dir?: string; key?: AuditKey; now?: Date } = {}): Promise<CheckpointWritten | null> {
  const key = options.key ?? currentAuditKey();
  const dir = options.dir ?? checkpointDir();
  const now = options.now ?? new Date();
  const [head] = await db.select({ id: auditLog.id, seq: auditLog.seq, hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  if (!head) return null;
  const checkpoint = signCheckpoint(key, head, now);
  const name = fileNameOf(checkpoint);
  const written = !(await exists(path.join(dir, name)));
  if (written) {
    await writeAtomically(dir, name, `${JSON.stringify(checkpoint, null, 2)}\n`);
    await thinCheckpoints(dir, now);
  }
  // Keyed by head: however often this runs, each head is sent once.
  if (process.env.AUDIT_CHECKPOINT_URL) await auditedTransaction(db, (tx) => enqueue(tx, DELIVER_CHECKPOINT_QUEUE, { checkpoint }, { key: name }));
  return { checkpoint, file: path.join(dir, name), written };
}

/** POSTs a checkpoint to AUDIT_CHECKPOINT_URL; anything but 2xx throws, so the job retries. */
export async function deliverCheckpoint(checkpoint: Checkpoint, url = process.env.AUDIT_CHECKPOINT_URL): Promise<void> {
  if (!url) return;
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-gov-event": "audit.checkpoint", "x-gov-delivery": fileNameOf(checkpoint) },
    body: JSON.stringify(checkpoint),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`the audit checkpoint receiver ${new URL(url).host} answered ${res.status}`);
}
