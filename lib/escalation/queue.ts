import type { Tx } from "@/db/client";
import { enqueue } from "@/lib/jobs/enqueue";

export const ESCALATION_QUEUE = "escalation.analyze";
const DEBOUNCE_MS = 5_000;

/**
 * Queues an escalation analysis in the caller's transaction, shortly after
 * it commits; requests within one 5-second window share one run.
 */
export async function requestEscalationAnalysis(tx: Tx, now = Date.now()) {
  const window = Math.floor(now / DEBOUNCE_MS);
  await enqueue(tx, ESCALATION_QUEUE, {}, { key: `window:${window}`, startAfter: new Date((window + 1) * DEBOUNCE_MS) });
}
