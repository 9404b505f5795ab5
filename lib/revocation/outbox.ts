import type { Tx } from "@/db/client";
import { accessEvents } from "@/db/schema";
import { requestDispatch } from "@/lib/connectors/dispatch";

/**
 * The access-event vocabulary that downstream enforcement (connectors,
 * webhooks) acts on, in commit order:
 * - grant.activated: a grant became usable (JIT approval at its start, break-glass)
 * - grant.revoked: a grant ended (any revocation source, including JIT expiry)
 * - credential.revocation_requested / credential.rotation_requested
 * - jit.break_glass: emergency access was taken without approval
 */
export type AccessEventType = "grant.activated" | "grant.revoked" | "credential.revocation_requested" | "credential.rotation_requested" | "jit.break_glass";

export type AccessEvent = { type: AccessEventType; grantId?: string | null; payload: Record<string, unknown> };

/**
 * Appends events to the outbox in the caller's transaction, with a job to
 * dispatch them to the connectors: both exist exactly when the change commits.
 */
export async function emitAccessEvents(tx: Tx, events: AccessEvent[]): Promise<void> {
  if (events.length === 0) return;
  for (let i = 0; i < events.length; i += 1000) {
    await tx.insert(accessEvents).values(events.slice(i, i + 1000).map((e) => ({ type: e.type, grantId: e.grantId ?? null, payload: e.payload })));
  }
  await requestDispatch(tx);
}
