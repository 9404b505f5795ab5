import { defineJob } from "@/lib/jobs/definition";
import { applyUsageRetention, usageRetentionDays } from "./retention";

// Read when the job registry loads: an instance with a bad USAGE_RETENTION_DAYS refuses to start, naming it.
const retentionDays = usageRetentionDays();

export const usageJobs = [
  // Daily, and at start: an instance that was down drops what expired meanwhile and has this month's partition ready.
  defineJob({ name: "usage.retention", cron: "17 3 * * *", atStart: true, handler: (db) => applyUsageRetention(db, new Date(), retentionDays) }),
];
