import { and, count, desc, eq, isNotNull, or } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { identities, notificationDeliveries, notifications } from "@/db/schema";
import { requireRole, type Caller } from "@/lib/caller";

/**
 * How notices are getting out: counts per channel and state, and the latest
 * deliveries that are failing or were given up, with their errors. What an
 * admin looks at when someone says "I never got the mail".
 */
export async function deliveryHealth(db: Tx, caller: Caller) {
  requireRole(caller, "admin", "auditor");
  const [counts, troubled] = await Promise.all([
    db
      .select({ channel: notificationDeliveries.channel, status: notificationDeliveries.status, n: count() })
      .from(notificationDeliveries)
      .groupBy(notificationDeliveries.channel, notificationDeliveries.status),
    db
      .select({
        id: notificationDeliveries.id,
        channel: notificationDeliveries.channel,
        status: notificationDeliveries.status,
        attempts: notificationDeliveries.attempts,
        lastError: notificationDeliveries.lastError,
        nextAttemptAt: notificationDeliveries.nextAttemptAt,
        title: notifications.title,
        recipient: identities.displayName,
        createdAt: notifications.createdAt,
      })
      .from(notificationDeliveries)
      .innerJoin(notifications, eq(notifications.id, notificationDeliveries.notificationId))
      .innerJoin(identities, eq(identities.id, notifications.recipientId))
      // Given up, or waiting after a failed attempt: a delivery merely queued is not trouble.
      .where(or(eq(notificationDeliveries.status, "dead"), and(eq(notificationDeliveries.status, "pending"), isNotNull(notificationDeliveries.lastError))))
      .orderBy(desc(notificationDeliveries.createdAt))
      .limit(20),
  ]);
  return { counts, troubled };
}
