import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { makeCaller, testDb, uniq } from "@/lib/testing/harness";
import { createConnector } from "./admin";
import { refusedRange } from "./destination";
import { webhookDriver } from "./webhook";
import type { AccessEventRow, ConnectorRow } from "./types";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("webhook destinations (SSRF)", () => {
  it("classifies addresses: only global unicast is a place to deliver to", () => {
    expect(
      Object.fromEntries(
        [
          "127.0.0.1",
          "10.1.2.3",
          "172.16.0.1",
          "192.168.1.1",
          "169.254.169.254",
          "0.0.0.0",
          "100.64.0.1",
          "::1",
          "::",
          "fe80::1",
          "fd00::1",
          "::ffff:127.0.0.1",
          "::ffff:a9fe:a9fe",
          "224.0.0.1",
          "93.184.215.14",
          "2606:4700::1111",
        ].map((a) => [a, refusedRange(a)]),
      ),
    ).toEqual({
      "127.0.0.1": "loopback",
      "10.1.2.3": "private",
      "172.16.0.1": "private",
      "192.168.1.1": "private",
      "169.254.169.254": "linkLocal",
      "0.0.0.0": "unspecified",
      "100.64.0.1": "carrierGradeNat",
      "::1": "loopback",
      "::": "unspecified",
      "fe80::1": "linkLocal",
      "fd00::1": "uniqueLocal",
      "::ffff:127.0.0.1": "loopback",
      "::ffff:a9fe:a9fe": "linkLocal",
      "224.0.0.1": "multicast",
      "93.184.215.14": null,
      "2606:4700::1111": null,
    });
  });

  it("refuses to save a webhook whose URL names or resolves to loopback, link-local or private addresses, unless the admin setting allows it", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    for (const url of [
      "http://127.0.0.1:8080/hook",
      "http://[::1]/hook",
      "http://[::ffff:127.0.0.1]/hook",
      "http://169.254.169.254/latest/meta-data",
      "http://10.0.0.7/hook",
      "http://0.0.0.0/hook",
      "http://localhost/hook",
      "http://0x7f.1/hook",
    ]) {
      await expect(createConnector(db, admin, { name: uniq("hook"), kind: "webhook", url }), url).rejects.toMatchObject({
        status: 422,
        fieldErrors: {
          url: [
            expect.stringMatching(/is a (loopback|linkLocal|private|unspecified) address; webhooks go to public addresses only \(set WEBHOOK_ALLOW_PRIVATE=1/),
          ],
        },
      });
    }
    vi.stubEnv("WEBHOOK_ALLOW_PRIVATE", "1");
    await expect(createConnector(db, admin, { name: uniq("hook"), kind: "webhook", url: "http://127.0.0.1:8080/hook" })).resolves.toMatchObject({
      kind: "webhook",
    });
  });

  it("checks again at delivery: a receiver on loopback is refused once the setting is off, and nothing is sent", async () => {
    const received: string[] = [];
    const server = createServer((req, res) => {
      received.push(req.url ?? "");
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const connector = { id: "c", kind: "webhook", config: { url: `http://localhost:${port}/hook`, secret: "s".repeat(20) } } as unknown as ConnectorRow;
    const event = { id: "e", type: "grant.activated", createdAt: new Date(), payload: {} } as unknown as AccessEventRow;
    try {
      await expect(webhookDriver.deliver(null as never, connector, event, "d1")).rejects.toThrow(
        /refused: localhost resolves to .* which is a loopback address/,
      );
      expect(received).toEqual([]);
      vi.stubEnv("WEBHOOK_ALLOW_PRIVATE", "1");
      await expect(webhookDriver.deliver(null as never, connector, event, "d2")).resolves.toEqual({ status: 204, effect: "delivered" });
      expect(received).toEqual(["/hook"]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
