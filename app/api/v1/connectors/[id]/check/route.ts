import { getDb } from "@/db/client";
import { checkConnectorNow } from "@/lib/connectors/admin";
import { route } from "@/lib/http/respond";

export const POST = route<{ id: string }>(async ({ caller, params }) => checkConnectorNow(await getDb(), caller, params.id));
