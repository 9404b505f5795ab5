import { getDb } from "@/db/client";
import { updateEntitlement } from "@/lib/catalog/catalog";
import { jsonBody, route } from "@/lib/http/respond";

export const PATCH = route<{ id: string }>(async ({ caller, params, request }) => updateEntitlement(await getDb(), caller, params.id, await jsonBody(request)));
