import { getDb } from "@/db/client";
import { reviewBreakGlass } from "@/lib/jit/decide";
import { jsonBody, route } from "@/lib/http/respond";

export const POST = route<{ id: string }>(async ({ caller, params, request }) => reviewBreakGlass(await getDb(), caller, params.id, await jsonBody(request)));
