import { getDb } from "@/db/client";
import { createPolicy, listPolicies } from "@/lib/jit/policies";
import { jsonBody, route, searchParamsOf } from "@/lib/http/respond";

export const GET = route(async ({ caller, request }) => ({
  policies: await listPolicies(await getDb(), caller, { includeArchived: searchParamsOf(request).archived === "1" }),
}));

export const POST = route(async ({ caller, request }) => Response.json(await createPolicy(await getDb(), caller, await jsonBody(request)), { status: 201 }));
