import { defineJob } from "@/lib/jobs/definition";
import { SIGNATURE_HEADER, signPayload } from "@/lib/webhooks/signature";

export const BREAK_GLASS_WEBHOOK_QUEUE = "jit.break-glass-webhook";

/** Break-glass use is announced to BREAK_GLASS_WEBHOOK_URL (chat, paging) when it is set. */
export const breakGlassWebhookConfigured = () => !!process.env.BREAK_GLASS_WEBHOOK_URL;

/**
 * Posts one signed notice. A refusal or a network error throws, so the job is
 * retried with backoff; after the last try it moves to the dead-letter queue.
 */
export async function postBreakGlassNotice(data: Record<string, unknown>, deliveryId: string) {
  const url = process.env.BREAK_GLASS_WEBHOOK_URL;
  if (!url) return { skipped: true };
  const secret = process.env.WEBHOOK_SECRET;
  if (!secret) throw new Error("WEBHOOK_SECRET must be set to sign break-glass webhooks");
  const body = JSON.stringify(data);
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", [SIGNATURE_HEADER]: signPayload(secret, body), "x-gov-event": "jit.break_glass", "x-gov-delivery": deliveryId },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`break-glass webhook answered ${res.status}`);
  return { status: res.status };
}

export const breakGlassWebhookJob = defineJob<{ event: string; occurredAt: string; data: Record<string, unknown> }>({
  name: BREAK_GLASS_WEBHOOK_QUEUE,
  pollingIntervalSeconds: 2,
  retryLimit: 8,
  retryDelaySeconds: 5,
  retryBackoff: true,
  deadLetter: "jit.break-glass-webhook.dead",
  handler: async (_db, job) => postBreakGlassNotice(job, String(job.data.requestId ?? "")),
});
