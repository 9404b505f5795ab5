import { defineJob } from "@/lib/jobs/definition";
import { escalateOverdueAttestations } from "./escalate";
import { sendAttestationReminders } from "./remind";

export const attestationJobs = [
  // Escalation climbs one rung per run and is safe to repeat: hourly is plenty.
  defineJob({ name: "attestation.escalate", cron: "7 * * * *", handler: (db) => escalateOverdueAttestations(db) }),
  // Reminders go once per lead time; hourly keeps "due today" close to the day.
  defineJob({ name: "attestation.remind", cron: "37 * * * *", handler: (db) => sendAttestationReminders(db) }),
];
