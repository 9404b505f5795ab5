import { getDb } from "@/db/client";
import { revokeRequest } from "@/lib/jit/end";
import { jsonBody, route } from "@/lib/http/respond";

export const POST = route<{ id: string }>(async ({ caller, params, request }) => revokeRequest(await getDb(), caller, params.id, await jsonBody(request)));
