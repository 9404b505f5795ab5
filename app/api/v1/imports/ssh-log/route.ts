import { getDb } from "@/db/client";
import { requireRole } from "@/lib/caller";
import { importSshLogBy } from "@/lib/ingest/ssh/log-import";
import { boundedText, route } from "@/lib/http/respond";

/** Larger logs go through `gov import ssh-log`, which reads files and directories of any size. */
const MAX_BODY_BYTES = 50 * 1_048_576;

// Hosts' sshd authentication log lines as session evidence of the certificates issued here; administrators only.
export const POST = route(async ({ caller, request }) => {
  requireRole(caller, "admin");
  return importSshLogBy(await getDb(), caller, new URL(request.url).searchParams.get("system"), await boundedText(request, MAX_BODY_BYTES));
});
