import { defineJob } from "@/lib/jobs/definition";
import { escalateOverdueAttestations } from "./escalate";

export const attestationJobs = [
  // Escalation climbs one rung per run and is safe to repeat: hourly is plenty.
  defineJob({ name: "attestation.escalate", cron: "7 * * * *", handler: (db) => escalateOverdueAttestations(db) }),
];
