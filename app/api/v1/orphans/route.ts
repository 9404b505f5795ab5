import { getDb } from "@/db/client";
import { listOrphans } from "@/lib/attestation/orphans";
import { route, searchParamsOf } from "@/lib/http/respond";

export const GET = route(async ({ caller, request }) => listOrphans(await getDb(), caller, searchParamsOf(request)));
