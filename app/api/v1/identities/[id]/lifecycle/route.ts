import { getDb } from "@/db/client";
import { lifecycleTimeline } from "@/lib/lifecycle/timeline";
import { route } from "@/lib/http/respond";

export const GET = route<{ id: string }>(async ({ caller, params }) => ({ events: await lifecycleTimeline(await getDb(), caller, params.id) }));
