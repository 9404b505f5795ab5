import { defineJob } from "@/lib/jobs/definition";
import { SEND_QUEUE } from "./notify";
import { sendDigests, sendDue } from "./send";

export const notificationJobs = [
  // Right after notices are written (notify queues one per second), and every minute for retries that came due.
  defineJob({
    name: SEND_QUEUE,
    cron: "* * * * *",
    atStart: true,
    pollingIntervalSeconds: 1,
    expireInSeconds: 600,
    // Email and chat are sent side by side: a mail outage does not hold up chat, nor the reverse.
    handler: async (db) => Promise.all([sendDue(db, "email"), sendDue(db, "chat")]),
  }),
  // Every morning (07:00 UTC), each person's digest of what they chose to receive that way.
  defineJob({ name: "notifications.digest", cron: "0 7 * * *", handler: (db) => sendDigests(db) }),
];
