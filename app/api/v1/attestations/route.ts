import { getDb } from "@/db/client";
import { listMyAttestations } from "@/lib/attestation/list";
import { route, searchParamsOf } from "@/lib/http/respond";

export const GET = route(async ({ caller, request }) => listMyAttestations(await getDb(), caller, searchParamsOf(request)));
