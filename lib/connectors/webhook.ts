import { SIGNATURE_HEADER, signPayload } from "@/lib/webhooks/signature";
import { DeliveryError, type ConnectorDriver } from "./types";

type WebhookConfig = { url: string; secret: string };

/**
 * Signed outbound webhooks: every access event the connector subscribes to is
 * POSTed as JSON with an HMAC-SHA256 signature over "timestamp.body"
 * (`X-Gov-Signature: t=…,v1=…`), the event type, and a delivery id that stays
 * the same across retries so the receiver can drop duplicates.
 */
export const webhookDriver: ConnectorDriver = {
  async deliver(_db, connector, event, deliveryId) {
    const config = connector.config as WebhookConfig;
    const body = JSON.stringify({ id: event.id, type: event.type, occurredAt: event.createdAt, data: event.payload });
    let res: Response;
    try {
      res = await fetch(config.url, {
        method: "POST",
        headers: { "content-type": "application/json", [SIGNATURE_HEADER]: signPayload(config.secret, body), "x-gov-event": event.type, "x-gov-delivery": deliveryId },
        body,
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new DeliveryError(`could not reach ${new URL(config.url).host}: ${(error as Error).message}`);
    }
    if (!res.ok) throw new DeliveryError(`the receiver answered ${res.status}`, res.status);
    return { status: res.status, effect: "delivered" };
  },
};
