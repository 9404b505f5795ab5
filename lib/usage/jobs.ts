import { defineJob } from "@/lib/jobs/definition";
import { applyUsageRetention } from "./retention";

export const usageJobs = [
  // Daily, and at start: an instance that was down drops what expired meanwhile and has this month's partition ready.
  defineJob({ name: "usage.retention", cron: "17 3 * * *", atStart: true, handler: (db) => applyUsageRetention(db) }),
];
