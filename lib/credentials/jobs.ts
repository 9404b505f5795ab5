import { defineJob } from "@/lib/jobs/definition";
import { escalateOverdueCredentialTasks } from "./tasks";

export const credentialJobs = [
  // Like attestations: one rung per run, safe to repeat, hourly is plenty.
  defineJob({ name: "credentials.escalate", cron: "17 * * * *", handler: (db) => escalateOverdueCredentialTasks(db) }),
];
