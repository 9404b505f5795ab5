import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { attestations, auditLog, credentials, identities } from "@/db/schema";

const DAY_MS = 86_400_000;

/** Moves an identity's next attestation `days` from `from` (negative: overdue). */
export async function setDue(db: Db, identityId: string, days: number | null, from = new Date()) {
  const at = days === null ? null : new Date(from.getTime() + days * DAY_MS);
  await db.update(identities).set({ nextAttestationAt: at }).where(eq(identities.id, identityId));
  return at;
}

export async function identityRow(db: Db, id: string) {
  const [row] = await db.select().from(identities).where(eq(identities.id, id));
  return row;
}

export const attestationsOf = (db: Db, identityId: string) => db.select().from(attestations).where(eq(attestations.identityId, identityId));

export const auditOf = (db: Db, entityId: string) => db.select().from(auditLog).where(eq(auditLog.entityId, entityId)).orderBy(auditLog.id);

/** An open attestation request, as the escalation job would leave it. */
export async function openRequest(db: Db, identityId: string, opts: { level?: number; escalatedToId?: string | null; dueAt?: Date } = {}) {
  const level = opts.level ?? 0;
  const [row] = await db
    .insert(attestations)
    .values({
      identityId,
      status: level > 0 ? "escalated" : "pending",
      dueAt: opts.dueAt ?? new Date(),
      escalationLevel: level,
      escalatedToId: opts.escalatedToId ?? null,
    })
    .returning();
  return row;
}

export async function makeCredential(db: Db, identityId: string, status: "active" | "revoked" = "active") {
  const [row] = await db
    .insert(credentials)
    .values({ identityId, type: "access_key", label: `AKIA…${Math.random().toString(36).slice(2, 6)}`, status, issuedAt: new Date(Date.now() - 30 * DAY_MS) })
    .returning();
  return row;
}
