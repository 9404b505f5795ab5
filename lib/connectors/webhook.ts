import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { SIGNATURE_HEADER, signPayload } from "@/lib/webhooks/signature";
import { DestinationError, checkDestination, guardedLookup } from "./destination";
import { DeliveryError, type ConnectorDriver } from "./types";

type WebhookConfig = { url: string; secret: string };

const TIMEOUT_MS = 10_000;

/**
 * POSTs a body and answers the status. node:http rather than fetch: its
 * `lookup` hook lets the connection use only addresses the destination rules
 * allow (lib/connectors/destination.ts), and it does not follow redirects, so
 * a receiver cannot bounce a delivery to an address the rules refuse.
 */
function post(url: URL, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(
      url,
      { method: "POST", headers: { ...headers, "content-length": String(Buffer.byteLength(body)) }, lookup: guardedLookup, timeout: TIMEOUT_MS },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * Signed outbound webhooks: every access event the connector subscribes to is
 * POSTed as JSON with an HMAC-SHA256 signature over "timestamp.body"
 * (`X-Gov-Signature: t=…,v1=…`), the event type, and a delivery id that stays
 * the same across retries so the receiver can drop duplicates. The URL was
 * checked when saved and is checked again at each delivery (its name may
 * resolve elsewhere by now).
 */
export const webhookDriver: ConnectorDriver = {
  check({ url }) {
    return !url || !/^https?:\/\/[^\s]+$/.test(url) || !URL.canParse(url) ? { url: ["A webhook needs an http(s) URL."] } : null;
  },
  async verify({ url }) {
    try {
      await checkDestination(new URL(url!));
    } catch (error) {
      if (error instanceof DestinationError) return { url: [error.message] };
      throw error;
    }
    return null;
  },
  configure({ url, secret }) {
    // Generated unless given, and shown once: receivers verify signatures with it.
    const key = secret ?? `whsec_${randomBytes(24).toString("base64url")}`;
    return { config: { url, secret: key }, shownOnce: key };
  },
  redact(config) {
    return { ...config, ...(typeof config.secret === "string" ? { secret: "••••••••" } : {}) };
  },
  async deliver(_db, connector, event, deliveryId) {
    const config = connector.config as WebhookConfig;
    const url = new URL(config.url);
    const body = JSON.stringify({ id: event.id, type: event.type, occurredAt: event.createdAt, data: event.payload });
    let status: number;
    try {
      await checkDestination(url);
      status = await post(
        url,
        { "content-type": "application/json", [SIGNATURE_HEADER]: signPayload(config.secret, body), "x-gov-event": event.type, "x-gov-delivery": deliveryId },
        body,
      );
    } catch (error) {
      if (error instanceof DestinationError) throw new DeliveryError(`refused: ${error.message}`);
      throw new DeliveryError(`could not reach ${url.host}: ${(error as Error).message}`);
    }
    if (status < 200 || status >= 300) throw new DeliveryError(`the receiver answered ${status}`, status);
    return { status, effect: "delivered" };
  },
};
