import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { accessEvents, connectorDeliveries, connectors, entitlements, grants } from "@/db/schema";
import { enqueue } from "@/lib/jobs/enqueue";
import { ldapDriver } from "./ldap";
import { postgresDriver } from "./postgres";
import { sshDriver } from "./ssh";
import { DeliveryError, type ConnectorDriver, type ConnectorRow } from "./types";
import { webhookDriver } from "./webhook";
import { auditedTransaction } from "@/lib/audit/record";

export const DISPATCH_QUEUE = "connectors.dispatch";
export const DELIVER_QUEUE = "connector.deliver";
const BATCH = 500;

export const drivers: Record<ConnectorRow["kind"], ConnectorDriver> = { postgres: postgresDriver, webhook: webhookDriver, ssh: sshDriver, ldap: ldapDriver };

/**
 * Hands the outbox's new access events to the connectors that want them: one
 * delivery row per (connector, event), unique, each with a durable job. An
 * event is marked dispatched in the same transaction, so a crash either
 * dispatches it again (and the unique key drops the duplicate) or not at all.
 */
export async function dispatchAccessEvents(db: Db): Promise<{ events: number; deliveries: number }> {
  let events = 0;
  let deliveries = 0;
  for (;;) {
    const done = await auditedTransaction(db, async (tx) => {
      const batch = await tx
        .select({ event: accessEvents, systemId: entitlements.systemId })
        .from(accessEvents)
        .leftJoin(grants, eq(grants.id, accessEvents.grantId))
        .leftJoin(entitlements, eq(entitlements.id, grants.entitlementId))
        .where(isNull(accessEvents.deliveredAt))
        .orderBy(asc(accessEvents.id))
        .limit(BATCH)
        .for("update", { of: accessEvents, skipLocked: true });
      if (batch.length === 0) return 0;
      const live = await tx.select().from(connectors).where(eq(connectors.enabled, 1));
      const rows = batch.flatMap(({ event, systemId }) =>
        live
          .filter((c) => (c.eventTypes.length === 0 || c.eventTypes.includes(event.type)) && (!c.systemId || c.systemId === systemId))
          .map((c) => ({ connectorId: c.id, accessEventId: event.id })),
      );
      if (rows.length) {
        const created = await tx.insert(connectorDeliveries).values(rows).onConflictDoNothing().returning({ id: connectorDeliveries.id });
        for (const d of created) await enqueue(tx, DELIVER_QUEUE, { deliveryId: d.id }, { key: `deliver:${d.id}:1` });
        deliveries += created.length;
      }
      await tx
        .update(accessEvents)
        .set({ deliveredAt: new Date() })
        .where(
          inArray(
            accessEvents.id,
            batch.map((b) => b.event.id),
          ),
        );
      return batch.length;
    });
    events += done;
    if (done < BATCH) return { events, deliveries };
  }
}

/**
 * Carries out one delivery. The attempt is counted before the effect (a crash
 * mid-delivery still counts it); success records the result; a failure is
 * thrown so the job queue retries it with exponential backoff, until the
 * connector's attempts are spent and the delivery is dead-lettered. A
 * delivered delivery is never carried out again.
 */
export async function deliverOne(db: Db, deliveryId: string) {
  const [row] = await db
    .select({ delivery: connectorDeliveries, connector: connectors, event: accessEvents })
    .from(connectorDeliveries)
    .innerJoin(connectors, eq(connectors.id, connectorDeliveries.connectorId))
    .innerJoin(accessEvents, eq(accessEvents.id, connectorDeliveries.accessEventId))
    .where(eq(connectorDeliveries.id, deliveryId));
  if (!row || row.delivery.status === "delivered" || row.delivery.status === "dead") return { skipped: true };
  const [counted] = await db
    .update(connectorDeliveries)
    .set({ attempts: sql`${connectorDeliveries.attempts} + 1`, lastAttemptAt: new Date(), updatedAt: new Date() })
    .where(and(eq(connectorDeliveries.id, deliveryId), sql`${connectorDeliveries.status} in ('pending', 'failed')`))
    .returning({ attempts: connectorDeliveries.attempts });
  if (!counted) return { skipped: true };
  try {
    const result = await drivers[row.connector.kind].deliver(db, row.connector, row.event, deliveryId);
    await db
      .update(connectorDeliveries)
      .set({ status: "delivered", deliveredAt: new Date(), responseStatus: result.status ?? null, result, lastError: null, updatedAt: new Date() })
      .where(eq(connectorDeliveries.id, deliveryId));
    return result;
  } catch (error) {
    const message = error instanceof DeliveryError ? error.message : `unexpected: ${(error as Error).message}`;
    const dead = counted.attempts >= row.connector.maxAttempts;
    await db
      .update(connectorDeliveries)
      .set({
        status: dead ? "dead" : "failed",
        lastError: message,
        responseStatus: error instanceof DeliveryError ? (error.status ?? null) : null,
        updatedAt: new Date(),
      })
      .where(eq(connectorDeliveries.id, deliveryId));
    await db.update(connectors).set({ lastError: message, updatedAt: new Date() }).where(eq(connectors.id, row.connector.id));
    if (dead) return { dead: true, error: message };
    throw error;
  }
}

/**
 * Asks for a dispatch as soon as the change emitting events commits. No
 * de-duplication key: a key per moment could fall on a dispatch already past
 * its query; dispatchers skip locked events, so extra ones cost a query.
 */
export async function requestDispatch(tx: Tx) {
  await enqueue(tx, DISPATCH_QUEUE, {});
}
