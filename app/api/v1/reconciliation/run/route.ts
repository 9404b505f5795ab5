import { getDb } from "@/db/client";
import { route } from "@/lib/http/respond";
import { queueReconciliationNow } from "@/lib/reconciliation/findings";

/** Queues a reconciliation pass now (admins), instead of waiting for the hourly one. */
export const POST = route(async ({ caller }) => Response.json({ queued: await queueReconciliationNow(await getDb(), caller) }, { status: 202 }));
