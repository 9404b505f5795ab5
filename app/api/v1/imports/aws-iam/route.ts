import { z } from "zod";
import { getDb } from "@/db/client";
import { requireRole } from "@/lib/auth/caller";
import { parseInput } from "@/lib/errors";
import { importAwsIamAs } from "@/lib/ingest/import-aws-iam";
import { jsonBody, route } from "@/lib/http/respond";

/** Larger accounts go through `gov import aws-iam`, which reads files of any size. */
const MAX_BODY_BYTES = 50 * 1_048_576;

const ImportBody = z.strictObject({
  authorizationDetails: z.record(z.string(), z.unknown(), { error: "The JSON of `aws iam get-account-authorization-details` (an object)." }),
  credentialReport: z.string({ error: "The decoded CSV of `aws iam get-credential-report`, as a string." }).optional(),
  scps: z.unknown().optional(),
});

// An AWS account's IAM, as `gov import aws-iam` imports it; administrators only. The escalation analysis follows as a job.
export const POST = route(async ({ caller, request }) => {
  // Refused before a large body is read; the import checks again.
  requireRole(caller, "admin");
  const db = await getDb();
  const input = parseInput(ImportBody, await jsonBody(request, MAX_BODY_BYTES));
  return importAwsIamAs(db, caller, input);
});
