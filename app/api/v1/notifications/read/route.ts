import { getDb } from "@/db/client";
import { markRead } from "@/lib/notifications/inbox";
import { jsonBody, route } from "@/lib/http/respond";

export const POST = route(async ({ caller, request }) => markRead(await getDb(), caller, await jsonBody(request)));
