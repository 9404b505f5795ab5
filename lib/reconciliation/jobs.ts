import { defineJob } from "@/lib/jobs/definition";
import { RECONCILE_QUEUE } from "@/lib/findings/refresh";
import { runReconciliation } from "./run";

export const reconciliationJobs = [
  // Hourly, at start, and shortly after imports and findings actions (they
  // queue one): findings, per-identity risk and the day's snapshot follow the data.
  defineJob({
    name: RECONCILE_QUEUE,
    cron: "17 * * * *",
    atStart: true,
    pollingIntervalSeconds: 2,
    expireInSeconds: 60 * 60,
    handler: (db) => runReconciliation(db),
  }),
];
