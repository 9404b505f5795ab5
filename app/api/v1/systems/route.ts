import { getDb } from "@/db/client";
import { createSystem } from "@/lib/catalog/catalog";
import { listSystems } from "@/lib/identities/list";
import { jsonBody, route } from "@/lib/http/respond";

// System names are not sensitive: every signed-in person filters by them.
export const GET = route(async () => ({ systems: await listSystems(await getDb()) }));

export const POST = route(async ({ caller, request }) => createSystem(await getDb(), caller, await jsonBody(request)));
