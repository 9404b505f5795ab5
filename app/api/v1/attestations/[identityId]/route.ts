import { getDb } from "@/db/client";
import { attest } from "@/lib/attestation/attest";
import { jsonBody, route } from "@/lib/http/respond";

export const POST = route<{ identityId: string }>(async ({ caller, params, request }) =>
  attest(await getDb(), caller, params.identityId, await jsonBody(request)),
);
