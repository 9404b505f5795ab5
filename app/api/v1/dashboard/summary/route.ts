import { getDb } from "@/db/client";
import { inventorySummary } from "@/lib/dashboard/summary";
import { route } from "@/lib/http/respond";

export const GET = route(async ({ caller }) => inventorySummary(await getDb(), caller));
