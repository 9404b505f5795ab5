import { getDb } from "@/db/client";
import { exportFormat, exportResponse } from "@/lib/exports/stream";
import { route, searchParamsOf } from "@/lib/http/respond";
import { exportFindings } from "@/lib/reconciliation/findings";

export const GET = route(async ({ caller, request }) => {
  const { format, ...filters } = searchParamsOf(request);
  const f = exportFormat(format);
  return exportResponse(exportFindings(await getDb(), caller, filters, f));
});
