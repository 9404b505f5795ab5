import { getDb } from "@/db/client";
import { decideRequest } from "@/lib/jit/decide";
import { jsonBody, route } from "@/lib/http/respond";

export const POST = route<{ id: string }>(async ({ caller, params, request }) =>
  decideRequest(await getDb(), caller, params.id, "deny", await jsonBody(request)),
);
