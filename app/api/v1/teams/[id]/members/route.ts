import { getDb } from "@/db/client";
import { jsonBody, route } from "@/lib/http/respond";
import { addTeamMembers } from "@/lib/teams/teams";

export const POST = route<{ id: string }>(async ({ caller, params, request }) => addTeamMembers(await getDb(), caller, params.id, await jsonBody(request)));
