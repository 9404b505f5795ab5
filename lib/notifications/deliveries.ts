import { and, count, desc, eq, inArray } from "drizzle-orm";
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
      .where(and(inArray(notificationDeliveries.status, ["pending", "dead"]), inArray(notificationDeliveries.channel, ["email", "chat", "digest"])))
      .orderBy(desc(notificationDeliveries.createdAt))
      .limit(200),
  ]);
  return { counts, troubled: troubled.filter((t) => t.status === "dead" || t.lastError).slice(0, 20) };
}
