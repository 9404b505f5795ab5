import type { JobDefinition } from "./definition";
import { attestationJobs } from "@/lib/attestation/jobs";
import { authJobs } from "@/lib/auth/jobs";
import { certificationJobs } from "@/lib/certification/jobs";
import { connectorJobs } from "@/lib/connectors/jobs";
import { jitJobs } from "@/lib/jit/jobs";
import { reconciliationJobs } from "@/lib/reconciliation/jobs";

/** Every durable job the product runs, by capability. */
export const jobDefinitions: JobDefinition[] = [...authJobs, ...attestationJobs, ...certificationJobs, ...jitJobs, ...reconciliationJobs, ...connectorJobs];
