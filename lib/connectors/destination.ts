// Where webhooks may be delivered. A webhook URL is chosen by an admin, but the
// server makes the request: without a rule, a URL naming (or resolving to) the
// loopback interface, the cloud metadata endpoint (169.254.169.254) or a
// private network would turn deliveries into requests inside our own network.
// Addresses are classified by ipaddr.js (MIT, the classifier Express's
// proxy-addr uses), which follows IANA's special-purpose registries: only
// global unicast addresses are allowed, unless WEBHOOK_ALLOW_PRIVATE=1.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { lookup } from "node:dns/promises";
import { isIP, type LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";

export const ALLOW_PRIVATE_ENV = "WEBHOOK_ALLOW_PRIVATE";

/** The admin setting: webhooks may go to loopback, link-local and private addresses (a receiver on the same host or network). */
export const privateDestinationsAllowed = () => ["1", "true"].includes(process.env[ALLOW_PRIVATE_ENV] ?? "");

/** Why an address is no place to deliver to (its IANA range: loopback, private, linkLocal, uniqueLocal, …), or null for global unicast. */
export function refusedRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return "invalid";
  let ip = ipaddr.parse(address);
  // ::ffff:127.0.0.1 is 127.0.0.1.
  if (ip.kind() === "ipv6" && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  const range = ip.range();
  return range === "unicast" ? null : range;
}

/** Raised when a webhook URL may not be delivered to; its message says why. */
export class DestinationError extends Error {}

const refusal = (host: string, address: string, range: string) =>
  new DestinationError(
    `${host}${host === address ? "" : ` resolves to ${address}, which`} is a ${range} address; webhooks go to public addresses only (set ${ALLOW_PRIVATE_ENV}=1 to allow private ones).`,
  );

const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, "");

/**
 * Resolves a webhook URL's host and checks every address it resolves to
 * (one private address among public ones is enough to refuse: the connection
 * could use it). Used when a webhook is saved and before each delivery.
 */
export async function checkDestination(url: URL): Promise<void> {
  if (privateDestinationsAllowed()) return;
  const host = hostOf(url);
  let addresses: LookupAddress[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch (error) {
      throw new DestinationError(`${host} could not be resolved (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
    }
  }
  for (const { address } of addresses) {
    const range = refusedRange(address);
    if (range) throw refusal(host, address, range);
  }
}

/**
 * A DNS lookup for node:http that hands the socket only addresses the rules
 * allow. The check happens on the answer the connection actually uses, so a
 * name that resolved to a public address when checked and to a private one a
 * moment later (DNS rebinding) is still refused.
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true, verbatim: true }, (error, addresses) => {
    if (error) return callback(error, "", 0);
    const list = addresses;
    for (const { address } of list) {
      const range = privateDestinationsAllowed() ? null : refusedRange(address);
      if (range) return callback(Object.assign(refusal(hostname, address, range), { code: "EDESTINATION" }), "", 0);
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
    callback(null, list[0].address, list[0].family);
  });
};
