import { getDb } from "@/db/client";
import { jsonBody, route } from "@/lib/http/respond";
import { deleteTeam, getTeam, renameTeam } from "@/lib/teams/teams";

export const GET = route<{ id: string }>(async ({ caller, params }) => getTeam(await getDb(), caller, params.id));

export const PATCH = route<{ id: string }>(async ({ caller, params, request }) => renameTeam(await getDb(), caller, params.id, await jsonBody(request)));

export const DELETE = route<{ id: string }>(async ({ caller, params }) => deleteTeam(await getDb(), caller, params.id));
