import { getDb } from "@/db/client";
import { requireRole } from "@/lib/caller";
import { importK8sAuditBy } from "@/lib/ingest/k8s/audit-import";
import { boundedText, route } from "@/lib/http/respond";

/** Larger logs go through `gov import k8s-audit`, which reads files and directories of any size. */
const MAX_BODY_BYTES = 50 * 1_048_576;

// A cluster's API server audit events (JSON lines) as usage; administrators only.
export const POST = route(async ({ caller, request }) => {
  requireRole(caller, "admin");
  const cluster = new URL(request.url).searchParams.get("cluster");
  return importK8sAuditBy(await getDb(), caller, cluster, await boundedText(request, MAX_BODY_BYTES));
});
