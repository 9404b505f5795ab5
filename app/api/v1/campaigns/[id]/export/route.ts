import { getDb } from "@/db/client";
import { exportEvidence } from "@/lib/certification/export";
import { exportFormat, exportResponse } from "@/lib/exports/stream";
import { route, searchParamsOf } from "@/lib/http/respond";

export const GET = route<{ id: string }>(async ({ caller, params, request }) => {
  const format = exportFormat(searchParamsOf(request).format);
  return exportResponse(await exportEvidence(await getDb(), caller, params.id, format));
});
