import { getDb } from "@/db/client";
import { listNotifications } from "@/lib/notifications/inbox";
import { route, searchParamsOf } from "@/lib/http/respond";

export const GET = route(async ({ caller, request }) => listNotifications(await getDb(), caller, searchParamsOf(request)));
