import { getDb } from "@/db/client";
import { launchCampaign } from "@/lib/certification/launch";
import { route } from "@/lib/http/respond";

export const POST = route<{ id: string }>(async ({ caller, params }) => launchCampaign(await getDb(), caller, params.id));
