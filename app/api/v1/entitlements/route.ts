import { getDb } from "@/db/client";
import { createEntitlement } from "@/lib/catalog/catalog";
import { jsonBody, route } from "@/lib/http/respond";

export const POST = route(async ({ caller, request }) => createEntitlement(await getDb(), caller, await jsonBody(request)));
