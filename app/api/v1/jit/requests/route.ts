import { getDb } from "@/db/client";
import { listRequests } from "@/lib/jit/list";
import { createRequest } from "@/lib/jit/request";
import { jsonBody, route, searchParamsOf } from "@/lib/http/respond";

export const GET = route(async ({ caller, request }) => listRequests(await getDb(), caller, searchParamsOf(request)), {
  tokenScopes: ["jit:request", "jit:read"],
});

export const POST = route(async ({ caller, request }) => Response.json(await createRequest(await getDb(), caller, await jsonBody(request)), { status: 201 }), {
  tokenScopes: ["jit:request"],
});
