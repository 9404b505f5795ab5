import { getDb } from "@/db/client";
import { actOnFindings } from "@/lib/reconciliation/findings";
import { jsonBody, route } from "@/lib/http/respond";

export const POST = route(async ({ caller, request }) => actOnFindings(await getDb(), caller, await jsonBody(request)));
