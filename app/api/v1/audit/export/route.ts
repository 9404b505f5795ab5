import { getDb } from "@/db/client";
import { exportAudit } from "@/lib/audit/list";
import { exportFormat, exportResponse } from "@/lib/exports/stream";
import { route, searchParamsOf } from "@/lib/http/respond";

// The page's filters and format=csv|json; the chain's verification comes with the rows.
export const GET = route(async ({ caller, request }) => {
  const { format, ...filters } = searchParamsOf(request);
  return exportResponse(await exportAudit(await getDb(), caller, filters, exportFormat(format)));
});
