import { getDb } from "@/db/client";
import { addEligibleIdentities } from "@/lib/jit/policies";
import { jsonBody, route } from "@/lib/http/respond";

export const POST = route<{ id: string }>(async ({ caller, params, request }) =>
  addEligibleIdentities(await getDb(), caller, params.id, await jsonBody(request)),
);
