import { getDb } from "@/db/client";
import { listCredentialPolicies, updateCredentialPolicies } from "@/lib/credentials/rotation";
import { jsonBody, route } from "@/lib/http/respond";

export const GET = route(async ({ caller }) => ({ policies: await listCredentialPolicies(await getDb(), caller) }));

export const PUT = route(async ({ caller, request }) => ({ policies: await updateCredentialPolicies(await getDb(), caller, await jsonBody(request)) }));
