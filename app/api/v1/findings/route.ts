import { getDb } from "@/db/client";
import { listFindings } from "@/lib/reconciliation/findings";
import { route, searchParamsOf } from "@/lib/http/respond";

export const GET = route(async ({ caller, request }) => listFindings(await getDb(), caller, searchParamsOf(request)));
