import { and, eq } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { credentials } from "@/db/schema";
import { recordAudit, type Actor } from "@/lib/audit/record";
import { emitAccessEvents } from "./outbox";
import type { Revocation } from "./revoke";

/**
 * Asks downstream enforcement to revoke every active credential of an identity:
 * one access event per credential on the same outbox as grant revocations, and
 * an audit row each. The credential row keeps status "active" until the target
 * system confirms; the secret lives there, not here, so marking it revoked
 * before then would claim something nobody has checked.
 */
export async function requestCredentialRevocation(tx: Tx, actor: Actor, identityId: string, revocation: Revocation) {
  const live = await tx
    .select({ id: credentials.id, type: credentials.type, label: credentials.label })
    .from(credentials)
    .where(and(eq(credentials.identityId, identityId), eq(credentials.status, "active")));
  if (live.length === 0) return [];
  const requestedAt = new Date().toISOString();
  await emitAccessEvents(
    tx,
    live.map((c) => ({
      type: "credential.revocation_requested",
      payload: { credentialId: c.id, identityId, type: c.type, label: c.label, source: revocation.source, sourceRef: revocation.sourceRef ?? null, reason: revocation.reason, requestedAt },
    })),
  );
  await recordAudit(
    tx,
    actor,
    live.map((c) => ({
      action: "credential.revocation_requested",
      entityType: "credential",
      entityId: c.id,
      after: { identityId, label: c.label, source: revocation.source, sourceRef: revocation.sourceRef ?? null, reason: revocation.reason },
    })),
  );
  return live;
}
