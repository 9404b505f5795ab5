import { and, eq } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { identities } from "@/db/schema";

/** The manager who takes over from a mover or leaver: only while that person is still active. */
export async function activeManagerId(tx: Tx, managerId: string | null): Promise<string | null> {
  if (!managerId) return null;
  const [manager] = await tx
    .select({ id: identities.id })
    .from(identities)
    .where(and(eq(identities.id, managerId), eq(identities.status, "active")));
  return manager?.id ?? null;
}
