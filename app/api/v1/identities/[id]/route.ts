import { getDb } from "@/db/client";
import { getIdentityDetail } from "@/lib/identities/detail";
import { updateIdentity } from "@/lib/identities/update";
import { jsonBody, route } from "@/lib/http/respond";

export const GET = route<{ id: string }>(async ({ caller, params }) => getIdentityDetail(await getDb(), caller, params.id));

export const PATCH = route<{ id: string }>(async ({ caller, params, request }) => updateIdentity(await getDb(), caller, params.id, await jsonBody(request)));
