import { getDb } from "@/db/client";
import { requireRole } from "@/lib/caller";
import { importAwsIamBy } from "@/lib/ingest/import-aws-iam";
import { jsonBody, route } from "@/lib/http/respond";

/** Larger accounts go through `gov import aws-iam`, which reads files of any size. */
const MAX_BODY_BYTES = 50 * 1_048_576;

// An AWS account's IAM, as `gov import aws-iam` imports it; administrators only. The escalation analysis follows as a job.
export const POST = route(async ({ caller, request }) => {
  // Refused before a large body is read; the import checks again.
  requireRole(caller, "admin");
  return importAwsIamBy(await getDb(), caller, await jsonBody(request, MAX_BODY_BYTES));
});
