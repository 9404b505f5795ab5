import { getDb } from "@/db/client";
import { exportEvidence } from "@/lib/certification/export";
import { ValidationError } from "@/lib/errors";
import { route, searchParamsOf } from "@/lib/http/respond";

export const GET = route<{ id: string }>(async ({ caller, params, request }) => {
  const format = searchParamsOf(request).format ?? "csv";
  if (format !== "csv" && format !== "json") throw new ValidationError({ format: ["Export as csv or json."] });
  const file = await exportEvidence(await getDb(), caller, params.id, format);
  return new Response(file.body, { headers: { "content-type": file.contentType, "content-disposition": `attachment; filename="${file.filename}"`, "cache-control": "no-store" } });
});
