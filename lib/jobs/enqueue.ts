import { createHash } from "node:crypto";
import PgBoss from "pg-boss";
import type { Tx } from "@/db/client";
import { transactionExecutor } from "./executor";

export const JOB_SCHEMA = "pgboss";

export type EnqueueOptions = {
  /** Not before this moment (a grant's expiry, a campaign's due date). */
  startAfter?: Date;
  /**
   * One job per key (a grant's expiry, a campaign's close): sending the same
   * key again changes nothing while pg-boss keeps the first (14 days by default).
   */
  key?: string;
};

// The key becomes the job's id, so the duplicate hits pg-boss's primary key.
function jobIdFor(queue: string, key: string): string {
  const h = createHash("sha256").update(`${queue}\n${key}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// Sending only writes a row, so this instance is never started; every send
// passes the caller's transaction as its database.
let sender: PgBoss | null = null;
const neverUsed = { executeSql: async () => Promise.reject(new Error("enqueue runs on the caller's transaction")) };

/**
 * Queues a job in the caller's transaction: it exists exactly when the change
 * that asked for it commits. Returns the job id, or null when a job with the
 * same key exists already.
 */
export async function enqueue(tx: Tx, queue: string, data: Record<string, unknown>, options: EnqueueOptions = {}): Promise<string | null> {
  sender ??= new PgBoss({ db: neverUsed, schema: JOB_SCHEMA });
  const id = await sender.send(queue, data, {
    startAfter: options.startAfter,
    id: options.key ? jobIdFor(queue, options.key) : undefined,
    db: transactionExecutor(tx),
  });
  if (id === null && !options.key) throw new Error(`queue "${queue}" is not installed`);
  return id;
}
