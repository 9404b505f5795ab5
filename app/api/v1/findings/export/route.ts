import { getDb } from "@/db/client";
import { ValidationError } from "@/lib/errors";
import { exportFormat, exportResponse } from "@/lib/exports/stream";
import { route, searchParamsOf } from "@/lib/http/respond";
import { exportFindings } from "@/lib/reconciliation/findings";

export const GET = route(async ({ caller, request }) => {
  const { format, ...filters } = searchParamsOf(request);
  const f = exportFormat(format, (m) => {
    throw new ValidationError({ format: [m] });
  });
  return exportResponse(exportFindings(await getDb(), caller, filters, f));
});
