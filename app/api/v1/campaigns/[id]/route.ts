import { getDb } from "@/db/client";
import { getCampaign, updateDraftCampaign } from "@/lib/certification/campaigns";
import { jsonBody, route } from "@/lib/http/respond";

export const GET = route<{ id: string }>(async ({ caller, params }) => getCampaign(await getDb(), caller, params.id));

// A draft's settings, whole (the body of POST /campaigns); a launched campaign answers 409.
export const PATCH = route<{ id: string }>(async ({ caller, params, request }) =>
  updateDraftCampaign(await getDb(), caller, params.id, await jsonBody(request)),
);
