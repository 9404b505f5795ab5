import { getDb } from "@/db/client";
import { ingestUsageEvents } from "@/lib/ingest/usage-api";
import { tokenRoute } from "@/lib/http/respond";

export const POST = tokenRoute("usage:write", async ({ token, request }) =>
  ingestUsageEvents(await getDb(), token, await request.text(), request.headers.get("content-type")),
);
