import { getDb } from "@/db/client";
import { getConnector, updateConnector } from "@/lib/connectors/admin";
import { jsonBody, route, searchParamsOf } from "@/lib/http/respond";

export const GET = route<{ id: string }>(async ({ caller, params, request }) => getConnector(await getDb(), caller, params.id, searchParamsOf(request)));

export const PATCH = route<{ id: string }>(async ({ caller, params, request }) => updateConnector(await getDb(), caller, params.id, await jsonBody(request)));
