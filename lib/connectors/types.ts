import type { Tx } from "@/db/client";
import type { accessEvents, connectors } from "@/db/schema";

export type ConnectorRow = typeof connectors.$inferSelect;
export type AccessEventRow = typeof accessEvents.$inferSelect;

/** What one delivery did downstream, kept on the delivery for the log. */
export type DeliveryResult = { status?: number; effect: string; detail?: Record<string, unknown> };

/** What reading a target's actual state found, as findings raised and resolved. */
export type StateReport = { checked: number; unapproved: number; missing: number; unknownMembers: string[] };

/**
 * One way of enforcing access decisions. `deliver` carries out one access
 * event (provision on grant.activated, deprovision on grant.revoked, or tell
 * a receiver) and must be safe to repeat: a delivery interrupted by a restart
 * is attempted again. `readState` compares the target with the grants.
 */
export type ConnectorDriver = {
  deliver(db: Tx, connector: ConnectorRow, event: AccessEventRow, deliveryId: string): Promise<DeliveryResult>;
  readState?(db: Tx, connector: ConnectorRow): Promise<StateReport>;
};

/** Raised by a driver when the target refused or could not be reached: the delivery is retried. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}
