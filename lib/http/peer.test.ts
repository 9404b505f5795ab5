import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { installPeerStamp } from "./peer-stamp";
import { PEER_ADDRESS_HEADER, PEER_PROTO_HEADER, clientAddress, isHttps, sourceKey, sourceOf, trustedProxyHops } from "./peer";

const h = (entries: Record<string, string>) => new Headers(entries);

describe("the client's address", () => {
  it("is the socket peer when no proxy is trusted, whatever X-Forwarded-For claims", () => {
    const headers = h({ [PEER_ADDRESS_HEADER]: "198.51.100.7", "x-forwarded-for": "1.2.3.4" });
    expect(clientAddress(headers, 0)).toBe("198.51.100.7");
  });

  it("is the address the outermost trusted proxy saw, never what the client wrote further left", () => {
    // client forged "1.2.3.4"; the edge proxy appended the real client; an inner proxy appended the edge.
    const headers = h({ [PEER_ADDRESS_HEADER]: "10.0.0.2", "x-forwarded-for": "1.2.3.4, 203.0.113.5, 10.0.0.1" });
    expect(clientAddress(headers, 1)).toBe("10.0.0.1");
    expect(clientAddress(headers, 2)).toBe("203.0.113.5");
    expect(clientAddress(h({ [PEER_ADDRESS_HEADER]: "10.0.0.2" }), 2)).toBe("10.0.0.2");
  });

  it("falls back to Next.js's X-Forwarded-For before the stamp is in place", () => {
    expect(clientAddress(h({ "x-forwarded-for": "192.0.2.1" }), 0)).toBe("192.0.2.1");
    expect(clientAddress(h({}), 0)).toBeNull();
  });

  it("reads TRUST_PROXY strictly", () => {
    expect(trustedProxyHops({})).toBe(0);
    expect(trustedProxyHops({ TRUST_PROXY: "2" })).toBe(2);
    expect(trustedProxyHops({ TRUST_PROXY: "true" })).toBe(1);
    expect(() => trustedProxyHops({ TRUST_PROXY: "yes" })).toThrow(/TRUST_PROXY/);
    expect(() => trustedProxyHops({ TRUST_PROXY: "-1" })).toThrow(/TRUST_PROXY/);
  });
});

describe("rate-limit sources", () => {
  it("keys IPv4 as is, IPv4-mapped IPv6 as IPv4 and other IPv6 by its /64", () => {
    expect(sourceKey("203.0.113.9")).toBe("203.0.113.9");
    expect(sourceKey("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(sourceKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(sourceKey("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(sourceKey("[2001:db8::1]:443")).toBe("2001:db8:0:0::/64");
    expect(sourceKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(sourceKey("not an address")).toBe("unparsed:not an address");
    expect(sourceKey(null)).toBe("unknown");
    expect(sourceOf(h({ [PEER_ADDRESS_HEADER]: "::ffff:127.0.0.1" }))).toBe("127.0.0.1");
  });
});

describe("https", () => {
  it("is the socket's protocol, or the nearest trusted proxy's word", () => {
    expect(isHttps(h({ [PEER_PROTO_HEADER]: "https" }), 0)).toBe(true);
    expect(isHttps(h({ [PEER_PROTO_HEADER]: "http", "x-forwarded-proto": "https" }), 0)).toBe(false);
    expect(isHttps(h({ [PEER_PROTO_HEADER]: "http", "x-forwarded-proto": "https" }), 1)).toBe(true);
    expect(isHttps(h({ "x-forwarded-proto": "https, http" }), 1)).toBe(false);
  });
});

describe("the peer stamp", () => {
  it("overwrites whatever address and protocol a client claims with the socket's", async () => {
    installPeerStamp();
    installPeerStamp(); // twice is harmless: still one stamp
    const seen = await new Promise<http.IncomingHttpHeaders>((resolve, reject) => {
      const server = http.createServer((req, res) => {
        resolve(req.headers);
        res.end();
        server.close();
      });
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo;
        http
          .get({ port, host: "127.0.0.1", headers: { [PEER_ADDRESS_HEADER]: "6.6.6.6", [PEER_PROTO_HEADER]: "https" } }, (res) => res.resume())
          .on("error", reject);
      });
    });
    expect(seen[PEER_ADDRESS_HEADER]).toBe("127.0.0.1");
    expect(seen[PEER_PROTO_HEADER]).toBe("http");
  });
});
