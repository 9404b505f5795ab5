import { getDb } from "@/db/client";
import { requireRole } from "@/lib/auth/caller";
import { enqueue } from "@/lib/jobs/enqueue";
import { route } from "@/lib/http/respond";
import { RECONCILE_QUEUE } from "@/lib/reconciliation/findings";

/** Queues a reconciliation pass now (admins), instead of waiting for the hourly one. */
export const POST = route(async ({ caller }) => {
  requireRole(caller, "admin");
  const db = await getDb();
  const id = await db.transaction((tx) => enqueue(tx, RECONCILE_QUEUE, {}, { key: `manual:${Math.floor(Date.now() / 5000)}` }));
  return Response.json({ queued: id !== null }, { status: 202 });
});
