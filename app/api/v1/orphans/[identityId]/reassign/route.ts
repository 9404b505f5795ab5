import { getDb } from "@/db/client";
import { reassignOwner } from "@/lib/attestation/orphans";
import { jsonBody, route } from "@/lib/http/respond";

export const POST = route<{ identityId: string }>(async ({ caller, params, request }) =>
  reassignOwner(await getDb(), caller, params.identityId, await jsonBody(request)),
);
