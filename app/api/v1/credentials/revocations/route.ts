import { getDb } from "@/db/client";
import { reportRevocation } from "@/lib/credentials/rotation";
import { jsonBody, tokenRoute } from "@/lib/http/respond";

// Connectors and secrets managers report revocations they carried out.
export const POST = tokenRoute("credentials:write", async ({ token, request }) => reportRevocation(await getDb(), token, await jsonBody(request)));
