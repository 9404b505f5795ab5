import { defineJob } from "@/lib/jobs/definition";
import { checkpointAuditChain, deliverCheckpoint, DELIVER_CHECKPOINT_QUEUE, type Checkpoint } from "./checkpoint";

/** How often the chain's head is checkpointed: rows deleted before the next checkpoint leave no trace. */
export function checkpointCron(minutes = process.env.AUDIT_CHECKPOINT_MINUTES): string {
  const n = minutes === undefined || minutes === "" ? 5 : Number(minutes);
  if (!Number.isInteger(n) || n < 1 || n > 60) throw new Error(`AUDIT_CHECKPOINT_MINUTES must be a whole number of minutes from 1 to 60, not "${minutes}".`);
  return n === 60 ? "0 * * * *" : `*/${n} * * * *`;
}

export const auditJobs = [
  // At start too: an upgraded instance anchors the rows written before the key at once.
  defineJob({ name: "audit.checkpoint", cron: checkpointCron(), atStart: true, handler: (db) => checkpointAuditChain(db) }),
  // The off-site copy: retried with exponential backoff for up to about a day while the receiver is down.
  defineJob<{ checkpoint: Checkpoint }>({
    name: DELIVER_CHECKPOINT_QUEUE,
    retryLimit: 13,
    retryDelaySeconds: 5,
    retryBackoff: true,
    deadLetter: "audit.checkpoint.undelivered",
    handler: (_db, { checkpoint }) => deliverCheckpoint(checkpoint),
  }),
];
