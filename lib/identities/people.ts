import { and, eq, inArray } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { identities } from "@/db/schema";

/**
 * Which of these ids are active people: who may own, manage, review, approve
 * or belong to a team. One query, so every form that names people agrees on
 * who counts (not an NHI, not someone who has left).
 */
export async function activePeopleAmong(db: Tx, ids: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Set();
  const rows = await db
    .select({ id: identities.id })
    .from(identities)
    .where(and(inArray(identities.id, unique), eq(identities.kind, "human"), eq(identities.status, "active")));
  return new Set(rows.map((r) => r.id));
}
