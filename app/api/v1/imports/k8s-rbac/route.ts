import { getDb } from "@/db/client";
import { requireRole } from "@/lib/caller";
import { importK8sRbacBy } from "@/lib/ingest/k8s/rbac-import";
import { jsonBody, route } from "@/lib/http/respond";

const MAX_BODY_BYTES = 50 * 1_048_576;

// A Kubernetes cluster's RBAC, as `gov import k8s-rbac` imports it; administrators only.
export const POST = route(async ({ caller, request }) => {
  // Refused before a large body is read; the import checks again.
  requireRole(caller, "admin");
  return importK8sRbacBy(await getDb(), caller, await jsonBody(request, MAX_BODY_BYTES));
});
