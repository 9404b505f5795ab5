import { auditedTransaction } from "@/lib/audit/record";
import { defineJob } from "@/lib/jobs/definition";
import { JIT_REMIND_QUEUE, JIT_SETTLE_QUEUE, remindExpiry, settleRequest, sweepRequests } from "./window";

export const jitJobs = [
  // Activation at a scheduled start, expiry at the window's end, timeout of a
  // pending request: each queued for its moment. A one-second poll keeps the
  // recorded expiry within seconds of expires_at (effective access never waits).
  // A worker takes one job per poll, so each job also settles whatever else is
  // already due: windows approved together expire together, and recording them
  // one a second would leave the last many seconds behind.
  defineJob<{ requestId: string }>({
    name: JIT_SETTLE_QUEUE,
    pollingIntervalSeconds: 1,
    handler: async (db, { requestId }) => {
      await auditedTransaction(db, (tx) => settleRequest(tx, requestId));
      // Opportunistic: this job's own request is settled; the minute sweep retries whatever fails here.
      await sweepRequests(db).catch((error) => console.error("[gov] jit.settle: catching up due requests failed", error));
    },
  }),
  defineJob<{ requestId: string }>({ name: JIT_REMIND_QUEUE, pollingIntervalSeconds: 5, handler: (db, { requestId }) => remindExpiry(db, requestId) }),
  // The safety net: whatever a lost job or downtime left behind, at start and every minute.
  defineJob({ name: "jit.sweep", cron: "* * * * *", atStart: true, handler: (db) => sweepRequests(db) }),
];
