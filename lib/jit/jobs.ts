import { defineJob } from "@/lib/jobs/definition";
import { breakGlassWebhookJob } from "./webhook";
import { JIT_REMIND_QUEUE, JIT_SETTLE_QUEUE, remindExpiry, settleRequest, sweepRequests } from "./window";

export const jitJobs = [
  // Activation at a scheduled start, expiry at the window's end, timeout of a
  // pending request: each queued for its moment. A one-second poll keeps the
  // recorded expiry within seconds of expires_at (effective access never waits).
  defineJob<{ requestId: string }>({
    name: JIT_SETTLE_QUEUE,
    pollingIntervalSeconds: 1,
    handler: (db, { requestId }) => db.transaction((tx) => settleRequest(tx, requestId)),
  }),
  defineJob<{ requestId: string }>({ name: JIT_REMIND_QUEUE, pollingIntervalSeconds: 5, handler: (db, { requestId }) => remindExpiry(db, requestId) }),
  // The safety net: whatever a lost job or downtime left behind, at start and every minute.
  defineJob({ name: "jit.sweep", cron: "* * * * *", atStart: true, handler: (db) => sweepRequests(db) }),
  breakGlassWebhookJob,
];
