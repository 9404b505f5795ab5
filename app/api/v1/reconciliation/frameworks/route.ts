import { getDb } from "@/db/client";
import { frameworkView } from "@/lib/reconciliation/frameworks";
import { route } from "@/lib/http/respond";

export const GET = route(async ({ caller }) => ({ controls: await frameworkView(await getDb(), caller) }));
