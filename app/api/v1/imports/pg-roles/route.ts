import { getDb } from "@/db/client";
import { importPostgresRolesBy } from "@/lib/ingest/postgres/roles-import";
import { jsonBody, route } from "@/lib/http/respond";

// A PostgreSQL server's roles, read from the server an environment variable names; administrators only.
export const POST = route(async ({ caller, request }) => importPostgresRolesBy(await getDb(), caller, await jsonBody(request)));
