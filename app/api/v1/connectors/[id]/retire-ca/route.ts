import { getDb } from "@/db/client";
import { retireCa } from "@/lib/connectors/ssh-rotation";
import { jsonBody, route } from "@/lib/http/respond";

/** Ends a CA rotation's overlap: `{"fingerprint"}` of the old CA. */
export const POST = route<{ id: string }>(async ({ caller, params, request }) => retireCa(await getDb(), caller, params.id, await jsonBody(request)));
