import { getDb } from "@/db/client";
import { cloneCampaign } from "@/lib/certification/campaigns";
import { route } from "@/lib/http/respond";

export const POST = route<{ id: string }>(async ({ caller, params }) => cloneCampaign(await getDb(), caller, params.id));
