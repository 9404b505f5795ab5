import { getDb } from "@/db/client";
import { requireRole } from "@/lib/caller";
import { importDirectoryGroupsBy } from "@/lib/ingest/ldap/groups-import";
import { jsonBody, route } from "@/lib/http/respond";

// The body names a system and an environment variable: a few hundred bytes.
const MAX_BODY_BYTES = 64 * 1024;

// A directory's groups, people and memberships, read from the directory an environment variable names; administrators only.
export const POST = route(async ({ caller, request }) => {
  // Refused before the body is read; the import checks again.
  requireRole(caller, "admin");
  return importDirectoryGroupsBy(await getDb(), caller, await jsonBody(request, MAX_BODY_BYTES));
});
