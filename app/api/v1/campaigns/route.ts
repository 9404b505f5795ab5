import { getDb } from "@/db/client";
import { createCampaign, listCampaigns } from "@/lib/certification/campaigns";
import { jsonBody, route } from "@/lib/http/respond";

export const GET = route(async ({ caller }) => ({ campaigns: await listCampaigns(await getDb(), caller) }));

export const POST = route(async ({ caller, request }) => createCampaign(await getDb(), caller, await jsonBody(request)));
