import { defineJob } from "@/lib/jobs/definition";
import { sweepSessions } from "./sessions";

export const authJobs = [
  // Old session records only matter for a while: the table stays bounded. A cheap delete on an indexed time, every minute.
  defineJob({
    name: "auth.sweep",
    cron: "* * * * *",
    handler: async (db) => {
      await sweepSessions(db);
    },
  }),
];
