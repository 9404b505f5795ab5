import { getDb } from "@/db/client";
import { getMyNotificationPreferences, setMyNotificationPreferences } from "@/lib/notifications/preferences";
import { jsonBody, route } from "@/lib/http/respond";

export const GET = route(async ({ caller }) => getMyNotificationPreferences(await getDb(), caller));

// `{ "approval_needed": ["email", "chat"], "review_reminder": null }`: the events named change, null returns one to the default.
export const PUT = route(async ({ caller, request }) => setMyNotificationPreferences(await getDb(), caller, await jsonBody(request)));
