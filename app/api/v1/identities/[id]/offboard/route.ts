import { getDb } from "@/db/client";
import { offboardPerson } from "@/lib/lifecycle/apply";
import { jsonBody, route } from "@/lib/http/respond";

export const POST = route<{ id: string }>(async ({ caller, params, request }) => offboardPerson(await getDb(), caller, params.id, await jsonBody(request)));
