import { getDb } from "@/db/client";
import { signOffCampaign } from "@/lib/certification/close";
import { optionalJsonBody, route } from "@/lib/http/respond";

export const POST = route<{ id: string }>(async ({ caller, params, request }) =>
  signOffCampaign(await getDb(), caller, params.id, await optionalJsonBody(request)),
);
