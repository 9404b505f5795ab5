import { getDb } from "@/db/client";
import { cancelCampaign } from "@/lib/certification/close";
import { jsonBody, route } from "@/lib/http/respond";

export const POST = route<{ id: string }>(async ({ caller, params, request }) => cancelCampaign(await getDb(), caller, params.id, await jsonBody(request)));
