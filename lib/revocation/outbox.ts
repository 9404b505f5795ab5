import type { Tx } from "@/db/client";
import { accessEvents } from "@/db/schema";
import { requestDispatch } from "@/lib/connectors/dispatch";
import type { AccessEventType } from "@/lib/connectors/types";

/** An access change for the outbox; the types are documented with accessEventTypes (lib/connectors/types.ts). */
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
