import { getDb } from "@/db/client";
import { requireRole } from "@/lib/caller";
import { importGitHubBy } from "@/lib/ingest/github/org-import";
import { jsonBody, route } from "@/lib/http/respond";

const MAX_BODY_BYTES = 50 * 1_048_576;

// A GitHub organisation's members, teams and repositories, as `gov import github` reads them; administrators only.
export const POST = route(async ({ caller, request }) => {
  requireRole(caller, "admin");
  return importGitHubBy(await getDb(), caller, await jsonBody(request, MAX_BODY_BYTES));
});
