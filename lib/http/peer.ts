import ipaddr from "ipaddr.js";

/**
 * Who is on the other end of a request, for rate limits and HSTS.
 *
 * Next.js gives route handlers no socket, and it keeps an X-Forwarded-For or
 * X-Forwarded-Proto the client sent itself; taken at face value, anyone could
 * pick their own address (and so their own rate-limit bucket). The server
 * therefore stamps every request with the socket's peer address and protocol
 * (installPeerStamp in peer-stamp.ts, at start-up), overwriting whatever a client sent under
 * those names. Forwarded headers are believed only across the number of
 * reverse proxies TRUST_PROXY declares.
 */
export const PEER_ADDRESS_HEADER = "x-gov-peer-address";
export const PEER_PROTO_HEADER = "x-gov-peer-proto";

const MAX_PROXY_HOPS = 10;

/** TRUST_PROXY: how many reverse proxies in front of the app append to X-Forwarded-For (0: none, the app is reached directly). */
export function trustedProxyHops(env: Record<string, string | undefined> = process.env): number {
  const raw = env.TRUST_PROXY?.trim();
  if (!raw) return 0;
  if (raw === "true") return 1;
  if (raw === "false") return 0;
  const hops = Number(raw);
  if (!Number.isInteger(hops) || hops < 0 || hops > MAX_PROXY_HOPS) {
    throw new Error(`TRUST_PROXY must be the number of reverse proxies in front of the app (0 to ${MAX_PROXY_HOPS}), not "${raw}".`);
  }
  return hops;
}

const listOf = (header: string | null) =>
  (header ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The client's address: the socket peer, or with N trusted proxies the
 * address the outermost of them saw (the Nth X-Forwarded-For entry from the
 * right, each proxy having appended its own peer). Entries further left were
 * written by the client and are never used.
 */
export function clientAddress(headers: Headers, hops = trustedProxyHops()): string | null {
  const forwarded = listOf(headers.get("x-forwarded-for"));
  // Without the stamp (the first requests while the server starts), Next.js
  // put the socket's address last in X-Forwarded-For unless the client sent one.
  const peer = headers.get(PEER_ADDRESS_HEADER) ?? forwarded.pop() ?? null;
  if (hops === 0 || peer === null) return peer;
  const chain = [...forwarded, peer];
  return chain[Math.max(0, chain.length - 1 - hops)];
}

/**
 * The rate-limit key for an address: IPv4 as is, IPv4-mapped IPv6 as IPv4,
 * other IPv6 by its /64 (one subscriber's allocation; a host can rotate
 * through the addresses of its /64 at will).
 */
export function sourceKey(address: string | null): string {
  if (!address) return "unknown";
  const bare = address.replace(/^\[(.*)\](?::\d+)?$/, "$1").replace(/%.*$/, "");
  if (!ipaddr.isValid(bare)) return `unparsed:${address.slice(0, 64)}`;
  const parsed = ipaddr.process(bare);
  if (parsed.kind() === "ipv4") return parsed.toString();
  return `${(parsed as ipaddr.IPv6).toNormalizedString().split(":").slice(0, 4).join(":")}::/64`;
}

/** The rate-limit source of a request. */
export const sourceOf = (headers: Headers) => sourceKey(clientAddress(headers));

/** Whether the request reached us over https: the socket itself, or as the nearest trusted proxy says. */
export function isHttps(headers: Headers, hops = trustedProxyHops()): boolean {
  if (hops > 0) return listOf(headers.get("x-forwarded-proto")).pop()?.toLowerCase() === "https";
  return headers.get(PEER_PROTO_HEADER) === "https";
}
