import { getDb } from "@/db/client";
import { listIdentities } from "@/lib/identities/list";
import { route, searchParamsOf } from "@/lib/http/respond";

export const GET = route(async ({ caller, request }) => listIdentities(await getDb(), caller, searchParamsOf(request)));
