import { getDb } from "@/db/client";
import { requireRole } from "@/lib/caller";
import { importPgLogBy } from "@/lib/ingest/postgres/log-import";
import { boundedText, route } from "@/lib/http/respond";

/** Larger logs go through `gov import pg-log`, which reads files and directories of any size. */
const MAX_BODY_BYTES = 50 * 1_048_576;

// A server's pgaudit log lines (jsonlog or csvlog) as usage; administrators only.
export const POST = route(async ({ caller, request }) => {
  requireRole(caller, "admin");
  return importPgLogBy(await getDb(), caller, new URL(request.url).searchParams.get("system"), await boundedText(request, MAX_BODY_BYTES));
});
