import { getDb } from "@/db/client";
import { redeliver } from "@/lib/connectors/admin";
import { route } from "@/lib/http/respond";

export const POST = route<{ id: string }>(async ({ caller, params }) => redeliver(await getDb(), caller, params.id));
