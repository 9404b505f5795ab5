import { getDb } from "@/db/client";
import { createConnector, listConnectors } from "@/lib/connectors/admin";
import { jsonBody, route } from "@/lib/http/respond";

export const GET = route(async ({ caller }) => listConnectors(await getDb(), caller));

export const POST = route(async ({ caller, request }) => Response.json(await createConnector(await getDb(), caller, await jsonBody(request)), { status: 201 }));
