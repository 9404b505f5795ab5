import type { Db, Tx } from "@/db/client";
import type { accessEvents, connectors } from "@/db/schema";

/**
 * The access-event vocabulary that downstream enforcement (connectors,
 * webhooks) acts on, in commit order:
 * - grant.activated: a grant became usable (JIT approval at its start, break-glass)
 * - grant.revoked: a grant ended (any revocation source, including JIT expiry)
 * - credential.revocation_requested / credential.rotation_requested
 * - jit.break_glass: emergency access was taken without approval
 * Kept free of server imports: the connector form lists it in the browser.
 */
export const accessEventTypes = [
  "grant.activated",
  "grant.revoked",
  "credential.revocation_requested",
  "credential.rotation_requested",
  "jit.break_glass",
] as const;
export type AccessEventType = (typeof accessEventTypes)[number];

export type ConnectorRow = typeof connectors.$inferSelect;
export type AccessEventRow = typeof accessEvents.$inferSelect;

/** What one delivery did downstream, kept on the delivery for the log. */
export type DeliveryResult = { status?: number; effect: string; detail?: Record<string, unknown> };

/** What reading a target's actual state found, as findings raised and resolved. */
export type StateReport = { checked: number; unapproved: number; missing: number; unknownMembers: string[] };

/** A connector's own settings as an admin gives them (each kind reads the ones it needs). */
export type ConnectorSettings = { name?: string; systemId?: string; url?: string; urlEnv?: string; secret?: string };

/**
 * One way of enforcing access decisions. `deliver` carries out one access
 * event (provision on grant.activated, deprovision on grant.revoked, or tell
 * a receiver) and must be safe to repeat: a delivery interrupted by a restart
 * is attempted again. `readState` compares the target with the grants. The
 * driver owns its settings: `check` answers field errors (none: null), and
 * `verify` what needs the network (where a URL leads); `configure` turns them
 * into the stored config (with a secret to show once, if it generated one);
 * `redact` is the config as people may see it.
 */
export type ConnectorDriver = {
  check(settings: ConnectorSettings): Record<string, string[]> | null;
  verify?(settings: ConnectorSettings): Promise<Record<string, string[]> | null>;
  configure(settings: ConnectorSettings): { config: Record<string, unknown>; shownOnce?: string };
  redact(config: Record<string, unknown>): Record<string, unknown>;
  deliver(db: Db, connector: ConnectorRow, event: AccessEventRow, deliveryId: string): Promise<DeliveryResult>;
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
