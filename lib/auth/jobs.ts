import { defineJob } from "@/lib/jobs/definition";
import { sweepFailures } from "./failures";
import { sweepSessions } from "./sessions";

export const authJobs = [
  // Failure counts only matter within their window and old session records only
  // for a while: both tables stay bounded. Cheap deletes on indexed times, every minute.
  defineJob({
    name: "auth.sweep",
    cron: "* * * * *",
    handler: async (db) => {
      await sweepFailures(db);
      await sweepSessions(db);
    },
  }),
];
