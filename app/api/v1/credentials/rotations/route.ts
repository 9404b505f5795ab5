import { getDb } from "@/db/client";
import { reportRotation } from "@/lib/credentials/rotation";
import { jsonBody, tokenRoute } from "@/lib/http/respond";

// Connectors and secrets managers report rotations they carried out.
export const POST = tokenRoute("credentials:write", async ({ token, request }) => reportRotation(await getDb(), token, await jsonBody(request)));
