import { eq } from "drizzle-orm";
import { connectors } from "@/db/schema";
import { defineJob } from "@/lib/jobs/definition";
import { DELIVER_QUEUE, DISPATCH_QUEUE, deliverOne, dispatchAccessEvents } from "./dispatch";
import { checkConnector } from "./admin";

export const connectorJobs = [
  // Right after changes emit events (each emit queues one), and every minute as a safety net.
  defineJob({ name: DISPATCH_QUEUE, cron: "* * * * *", pollingIntervalSeconds: 1, handler: (db) => dispatchAccessEvents(db) }),
  // Failed deliveries come back with exponential backoff (2 s, 4 s, 8 s, …); deliverOne dead-letters
  // after the connector's own number of attempts, below this ceiling.
  defineJob<{ deliveryId: string }>({
    name: DELIVER_QUEUE,
    pollingIntervalSeconds: 1,
    retryLimit: 20,
    retryDelaySeconds: 2,
    retryBackoff: true,
    expireInSeconds: 120,
    handler: (db, { deliveryId }) => deliverOne(db, deliveryId),
  }),
  // Drift: what the targets actually grant, against the grants.
  defineJob({
    name: "connectors.check",
    cron: "*/10 * * * *",
    handler: async (db) => {
      for (const c of await db.select().from(connectors).where(eq(connectors.enabled, 1)))
        await checkConnector(db, c.id).catch((e) => console.error(`[gov] connector ${c.name}:`, e));
    },
  }),
];
