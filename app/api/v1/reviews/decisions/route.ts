import { getDb } from "@/db/client";
import { decideItems } from "@/lib/certification/decide";
import { jsonBody, route } from "@/lib/http/respond";

export const POST = route(async ({ caller, request }) => decideItems(await getDb(), caller, await jsonBody(request)));
