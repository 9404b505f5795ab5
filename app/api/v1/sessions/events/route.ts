import { getDb } from "@/db/client";
import { ingestSessionEvents } from "@/lib/sessions/ingest";
import { tokenRoute } from "@/lib/http/respond";

export const POST = tokenRoute("usage:write", async ({ token, request }) =>
  ingestSessionEvents(await getDb(), token, await request.text(), request.headers.get("content-type")),
);
