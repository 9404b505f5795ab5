import { getDb } from "@/db/client";
import { requireRole } from "@/lib/caller";
import { importGitHubAuditBy } from "@/lib/ingest/github/audit-import";
import { boundedText, route } from "@/lib/http/respond";

/** Larger exports go through `gov import github-audit`, which reads files and directories of any size. */
const MAX_BODY_BYTES = 50 * 1_048_576;

// An organisation's audit log entries (JSON lines) as usage; administrators only.
export const POST = route(async ({ caller, request }) => {
  requireRole(caller, "admin");
  return importGitHubAuditBy(await getDb(), caller, new URL(request.url).searchParams.get("org"), await boundedText(request, MAX_BODY_BYTES));
});
