import { getDb } from "@/db/client";
import { getNotificationDefaults, setNotificationDefaults } from "@/lib/notifications/preferences";
import { jsonBody, route } from "@/lib/http/respond";

export const GET = route(async ({ caller }) => getNotificationDefaults(await getDb(), caller));

export const PUT = route(async ({ caller, request }) => setNotificationDefaults(await getDb(), caller, await jsonBody(request)));
