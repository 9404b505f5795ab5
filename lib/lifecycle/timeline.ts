import { desc, eq } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { lifecycleEvents } from "@/db/schema";
import type { Caller } from "@/lib/caller";
import { getVisibleIdentity } from "@/lib/identities/detail";

/** Joiner, mover and leaver events of an identity, newest first, each with what it caused. */
export async function lifecycleTimeline(db: Tx, caller: Caller, identityId: string) {
  await getVisibleIdentity(db, caller, identityId);
  return db
    .select()
    .from(lifecycleEvents)
    .where(eq(lifecycleEvents.identityId, identityId))
    .orderBy(desc(lifecycleEvents.occurredAt), desc(lifecycleEvents.createdAt))
    .limit(100);
}
