import { getDb } from "@/db/client";
import { listMyReviews } from "@/lib/certification/queue";
import { route, searchParamsOf } from "@/lib/http/respond";

export const GET = route(async ({ caller, request }) => listMyReviews(await getDb(), caller, searchParamsOf(request)));
