import { getDb } from "@/db/client";
import { updateSystem } from "@/lib/catalog/catalog";
import { jsonBody, route } from "@/lib/http/respond";

export const PATCH = route<{ id: string }>(async ({ caller, params, request }) => updateSystem(await getDb(), caller, params.id, await jsonBody(request)));
