import { getDb } from "@/db/client";
import { setAttestationPolicy } from "@/lib/attestation/cadence";
import { jsonBody, route } from "@/lib/http/respond";

export const PUT = route<{ kind: string }>(async ({ caller, params, request }) =>
  setAttestationPolicy(await getDb(), caller, params.kind, await jsonBody(request)),
);
