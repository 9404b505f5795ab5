import type { Tx } from "@/db/client";
import { enqueue } from "@/lib/jobs/enqueue";

/*
 * Findings follow the data: whatever changes what reconciliation would see
 * (an import, an escalation analysis, a rotation, a findings action) asks for
 * a pass here, below every capability that asks, so none of them depends on
 * reconciliation itself (lib/reconciliation/jobs.ts runs the queue).
 */

export const RECONCILE_QUEUE = "reconciliation.run";

export const DEBOUNCE_MS = 5000;

/**
 * Queues a reconciliation pass for a change in the caller's transaction, so the
 * figures follow it within seconds. Changes within the same 5-second window
 * share one pass, and it starts only when the window has ended: every change
 * of the window has committed by then, so none is left for the hourly run (a
 * pass that had already started when the change came would not see it).
 */
export async function requestReconciliation(tx: Tx, now = Date.now()) {
  const window = Math.floor(now / DEBOUNCE_MS);
  await enqueue(tx, RECONCILE_QUEUE, {}, { key: `window:${window}`, startAfter: new Date((window + 1) * DEBOUNCE_MS) });
}
