import { getDb } from "@/db/client";
import { closeCampaign } from "@/lib/certification/close";
import { optionalJsonBody, route } from "@/lib/http/respond";

export const POST = route<{ id: string }>(async ({ caller, params, request }) =>
  closeCampaign(await getDb(), caller, params.id, await optionalJsonBody(request)),
);
