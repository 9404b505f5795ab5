import { getDb } from "@/db/client";
import { exportFormat, exportResponse } from "@/lib/exports/stream";
import { route, searchParamsOf } from "@/lib/http/respond";
import { exportReconciliation } from "@/lib/reconciliation/export";

export const GET = route(async ({ caller, request }) => {
  const f = exportFormat(searchParamsOf(request).format);
  return exportResponse(exportReconciliation(await getDb(), caller, f));
});
