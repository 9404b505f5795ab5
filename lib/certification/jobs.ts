import { defineJob } from "@/lib/jobs/definition";
import { certificationTick } from "./schedule";

export const certificationJobs = [
  // Due dates, reminders and recurrences are all read from the campaigns
  // themselves, so one idempotent pass a minute catches up after any downtime.
  defineJob({ name: "certification.tick", cron: "* * * * *", handler: (db) => certificationTick(db) }),
];
