import { getDb } from "@/db/client";
import { listAudit } from "@/lib/audit/list";
import { route, searchParamsOf } from "@/lib/http/respond";

export const GET = route(async ({ caller, request }) => listAudit(await getDb(), caller, searchParamsOf(request)));
