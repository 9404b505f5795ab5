import { getDb } from "@/db/client";
import { jsonBody, route } from "@/lib/http/respond";
import { createTeam, listTeams } from "@/lib/teams/teams";

export const GET = route(async ({ caller }) => ({ teams: await listTeams(await getDb(), caller) }));

export const POST = route(async ({ caller, request }) => createTeam(await getDb(), caller, await jsonBody(request)));
