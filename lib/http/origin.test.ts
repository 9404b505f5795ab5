import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { PUT as putRoles } from "@/app/api/v1/admin/roles/[identityId]/route";
import { POST as markRead } from "@/app/api/v1/notifications/read/route";
import { proxy } from "@/proxy";
import { crossSiteRefusal } from "./origin";
import { PEER_PROTO_HEADER } from "./peer";

const HOST = "gov.example";
const SESSION = "authjs.session-token=opaque";
const UNPARSEABLE = ["null", "not a url", "http://", "://gov.example", "file:///etc/passwd", "gov.example"];

describe("same-origin checks on cookie-authenticated writes", () => {
  it("refuse an Origin that is null, does not parse or names another site; allow ours and none", () => {
    const headers = (origin?: string) => new Headers({ host: HOST, ...(origin === undefined ? {} : { origin }) });
    for (const origin of [...UNPARSEABLE, "https://evil.example"]) expect(crossSiteRefusal("POST", headers(origin))).toEqual(expect.any(String));
    expect(crossSiteRefusal("POST", headers(`https://${HOST}`))).toBeNull();
    expect(crossSiteRefusal("DELETE", headers())).toBeNull();
    expect(crossSiteRefusal("GET", headers("null"))).toBeNull();
    // Behind a proxy, the forwarded host is the one the browser saw.
    expect(crossSiteRefusal("POST", new Headers({ host: "app:3000", "x-forwarded-host": HOST, origin: `https://${HOST}` }))).toBeNull();
  });

  it.each(UNPARSEABLE)("answer 403, not 500, on every API write with Origin %j", async (origin) => {
    const headers = { host: HOST, origin, cookie: SESSION, "content-type": "application/json" };
    const put = await putRoles(new Request(`http://${HOST}/api/v1/admin/roles/x`, { method: "PUT", headers, body: '{"roles":[]}' }), {
      params: Promise.resolve({ identityId: "x" }),
    });
    expect(put.status).toBe(403);
    expect(await put.json()).toMatchObject({ error: { code: "forbidden" } });
    const post = await markRead(new Request(`http://${HOST}/api/v1/notifications/read`, { method: "POST", headers, body: '{"all":true}' }), {
      params: Promise.resolve({}),
    });
    expect(post.status).toBe(403);
  });

  it.each(UNPARSEABLE)("answer 403 to a server action or sign-out posted with Origin %j (Next.js would answer 500)", async (origin) => {
    for (const path of ["/identities", "/api/auth/signout"]) {
      const request = new NextRequest(`http://${HOST}${path}`, { method: "POST", headers: { host: HOST, origin, cookie: SESSION, "next-action": "abc" } });
      expect(proxy(request).status).toBe(403);
    }
  });

  it("let bearer-token calls and SCIM through the proxy whatever their Origin", () => {
    const api = new NextRequest(`http://${HOST}/api/v1/jit/requests`, {
      method: "POST",
      headers: { host: HOST, origin: "null", authorization: "Bearer gov_x" },
    });
    expect(proxy(api).status).toBe(200);
    const scim = new NextRequest(`http://${HOST}/scim/v2/Users`, { method: "POST", headers: { host: HOST, origin: "null" } });
    expect(proxy(scim).status).toBe(200);
  });
});

describe("transport headers", () => {
  it("mark every API and SCIM answer no-store, refusals included", () => {
    const get = (path: string, headers: Record<string, string> = {}) =>
      proxy(new NextRequest(`http://${HOST}${path}`, { headers: { host: HOST, ...headers } }));
    expect(get("/api/v1/me", { cookie: SESSION }).headers.get("cache-control")).toBe("no-store");
    expect(get("/api/v1/me").status).toBe(401);
    expect(get("/api/v1/me").headers.get("cache-control")).toBe("no-store");
    expect(get("/scim/v2/Users").headers.get("cache-control")).toBe("no-store");
    expect(get("/identities", { cookie: SESSION }).headers.get("cache-control")).toBeNull();
  });

  it("send HSTS only over https", () => {
    const get = (headers: Record<string, string>) => proxy(new NextRequest(`http://${HOST}/signin`, { headers: { host: HOST, ...headers } }));
    expect(get({ [PEER_PROTO_HEADER]: "https" }).headers.get("strict-transport-security")).toMatch(/^max-age=\d{8}/);
    expect(get({ [PEER_PROTO_HEADER]: "http" }).headers.get("strict-transport-security")).toBeNull();
    // A client claiming https through X-Forwarded-Proto is not believed without TRUST_PROXY.
    expect(get({ [PEER_PROTO_HEADER]: "http", "x-forwarded-proto": "https" }).headers.get("strict-transport-security")).toBeNull();
    process.env.TRUST_PROXY = "1";
    try {
      expect(get({ [PEER_PROTO_HEADER]: "http", "x-forwarded-proto": "https" }).headers.get("strict-transport-security")).toMatch(/^max-age=/);
    } finally {
      delete process.env.TRUST_PROXY;
    }
  });
});
