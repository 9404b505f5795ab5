import { getDb } from "@/db/client";
import { convertStandingToEligible } from "@/lib/jit/convert";
import { jsonBody, route } from "@/lib/http/respond";

export const POST = route(async ({ caller, request }) => convertStandingToEligible(await getDb(), caller, await jsonBody(request)));
