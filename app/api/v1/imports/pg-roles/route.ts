import { getDb } from "@/db/client";
import { requireRole } from "@/lib/caller";
import { importPostgresRolesBy } from "@/lib/ingest/postgres/roles-import";
import { jsonBody, route } from "@/lib/http/respond";

// The body names a system and an environment variable: a few hundred bytes.
const MAX_BODY_BYTES = 64 * 1024;

// A PostgreSQL server's roles, read from the server an environment variable names; administrators only.
export const POST = route(async ({ caller, request }) => {
  // Refused before the body is read; the import checks again.
  requireRole(caller, "admin");
  return importPostgresRolesBy(await getDb(), caller, await jsonBody(request, MAX_BODY_BYTES));
});
