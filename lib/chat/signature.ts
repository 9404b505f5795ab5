import { createHmac, timingSafeEqual } from "node:crypto";

/** Slack refuses, and so do we, a signed request whose timestamp is further than this from now. */
export const SLACK_TOLERANCE_SECONDS = 300;

/** `v0=` + hex HMAC-SHA256 of "v0:<timestamp>:<raw body>" under the app's signing secret, as Slack signs. */
export const slackSignature = (secret: string, timestamp: string, body: string) =>
  `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;

export type SignatureVerdict = "ok" | "missing" | "stale" | "forged";

/** Recomputes the signature over the exact bytes received and compares in constant time; stale timestamps fail first. */
export function verifySlackSignature(
  secret: string,
  body: string,
  timestamp: string | null,
  signature: string | null,
  now = Date.now() / 1000,
): SignatureVerdict {
  if (!timestamp || !signature) return "missing";
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > SLACK_TOLERANCE_SECONDS) return "stale";
  const expected = Buffer.from(slackSignature(secret, timestamp, body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? "ok" : "forged";
}
