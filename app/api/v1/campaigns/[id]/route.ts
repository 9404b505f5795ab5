import { getDb } from "@/db/client";
import { getCampaign } from "@/lib/certification/campaigns";
import { route } from "@/lib/http/respond";

export const GET = route<{ id: string }>(async ({ caller, params }) => getCampaign(await getDb(), caller, params.id));
