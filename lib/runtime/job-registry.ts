import type { JobDefinition } from "@/lib/jobs/definition";
import { attestationJobs } from "@/lib/attestation/jobs";
import { auditJobs } from "@/lib/audit/jobs";
import { authJobs } from "@/lib/auth/jobs";
import { certificationJobs } from "@/lib/certification/jobs";
import { connectorJobs } from "@/lib/connectors/jobs";
import { credentialJobs } from "@/lib/credentials/jobs";
import { escalationJobs } from "@/lib/escalation/jobs";
import { jitJobs } from "@/lib/jit/jobs";
import { notificationJobs } from "@/lib/notifications/jobs";
import { reconciliationJobs } from "@/lib/reconciliation/jobs";
import { usageJobs } from "@/lib/usage/jobs";

/** Every durable job the product runs, by capability. */
export const jobDefinitions: JobDefinition[] = [
  ...auditJobs,
  ...authJobs,
  ...attestationJobs,
  ...certificationJobs,
  ...jitJobs,
  ...notificationJobs,
  ...reconciliationJobs,
  ...connectorJobs,
  ...credentialJobs,
  ...escalationJobs,
  ...usageJobs,
];
