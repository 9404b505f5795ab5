import { defineJob } from "@/lib/jobs/definition";
import { ESCALATION_QUEUE } from "./queue";
import { runEscalationAnalysis } from "./run";

export const escalationJobs = [
  // After every IAM import (it queues one), at start and hourly: grants that
  // open and close (JIT windows) change what identities can reach.
  defineJob({
    name: ESCALATION_QUEUE,
    cron: "23 * * * *",
    atStart: true,
    pollingIntervalSeconds: 2,
    expireInSeconds: 60 * 60,
    handler: (db) => runEscalationAnalysis(db),
  }),
];
