import { getDb } from "@/db/client";
import { archivePolicy, getPolicy, updatePolicy } from "@/lib/jit/policies";
import { jsonBody, route } from "@/lib/http/respond";

export const GET = route<{ id: string }>(async ({ caller, params }) => getPolicy(await getDb(), caller, params.id));

export const PATCH = route<{ id: string }>(async ({ caller, params, request }) => updatePolicy(await getDb(), caller, params.id, await jsonBody(request)));

/** Retires the policy (its rows stay for the requests that cite it). */
export const DELETE = route<{ id: string }>(async ({ caller, params }) => archivePolicy(await getDb(), caller, params.id));
