import { describe, expect, it, vi } from "vitest";
import type { Db } from "@/db/client";
import { revokeToken } from "@/lib/auth/tokens";
import { testDb, uniq } from "@/lib/testing/harness";
import { SCIM_CONTENT_TYPE } from "./constants";
import { handleScim } from "./handler";
import { BASE_URL, q, scimCaller, scimClient, userBody } from "./test-client";

const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

describe("SCIM protocol: authentication, discovery and errors", () => {
  it("answers 401 with a SCIM error and WWW-Authenticate without a token, or with an unknown or revoked one", async () => {
    const db = await testDb();
    for (const bearer of [null, "gov_not-a-real-token"]) {
      const res = await scimCaller(db, bearer)("GET", "/Users");
      expect(res.status).toBe(401);
      expect(res.headers["WWW-Authenticate"]).toMatch(/^Bearer realm="scim"/);
      expect(res.headers["Content-Type"]).toBe(SCIM_CONTENT_TYPE);
      expect(res.json).toEqual({ schemas: [ERROR], status: "401", detail: expect.any(String) });
    }
    const basic = await scimCaller(db, null)("GET", "/Users", { headers: { authorization: "Basic Zm9vOmJhcg==" } });
    expect(basic.status).toBe(401);

    const { admin, token, call } = await scimClient(db);
    expect((await call("GET", "/ServiceProviderConfig")).status).toBe(200);
    await revokeToken(db, admin, token.id);
    expect((await call("GET", "/ServiceProviderConfig")).status).toBe(401);
  });

  it("answers 403 to a token issued without the scim scope, and changes nothing", async () => {
    const db = await testDb();
    const { call } = await scimClient(db, ["usage:write"]);
    const res = await call("POST", "/Users", { body: userBody(`${uniq("nope")}@acme.example`) });
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ schemas: [ERROR], status: "403", detail: expect.stringContaining("scim scope") });
  });

  it("describes itself: ServiceProviderConfig, ResourceTypes and Schemas", async () => {
    const db = await testDb();
    const { call } = await scimClient(db);
    const config = await call("GET", "/ServiceProviderConfig");
    expect(config.json).toMatchObject({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
      patch: { supported: true },
      filter: { supported: true, maxResults: 1000 },
      etag: { supported: true },
      bulk: { supported: false },
      authenticationSchemes: [expect.objectContaining({ type: "oauthbearertoken" })],
    });

    const types = await call("GET", "/ResourceTypes");
    expect(types.json.totalResults).toBe(2);
    expect(types.json.Resources.map((r: { id: string }) => r.id)).toEqual(["User", "Group"]);
    const user = await call("GET", "/ResourceTypes/User");
    expect(user.json).toMatchObject({
      endpoint: "/Users",
      schema: "urn:ietf:params:scim:schemas:core:2.0:User",
      schemaExtensions: [{ schema: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", required: false }],
      meta: { location: `${BASE_URL}/ResourceTypes/User` },
    });

    const schemas = await call("GET", "/Schemas");
    expect(schemas.json.Resources.map((s: { id: string }) => s.id)).toEqual([
      "urn:ietf:params:scim:schemas:core:2.0:User",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
      "urn:ietf:params:scim:schemas:core:2.0:Group",
    ]);
    const userSchema = await call("GET", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User");
    expect(userSchema.json.attributes).toContainEqual(expect.objectContaining({ name: "userName", required: true, uniqueness: "server" }));
    expect((await call("GET", "/Schemas/urn:nope")).status).toBe(404);
    expect((await call("GET", "/ResourceTypes?filter=" + encodeURIComponent('id eq "User"'))).status).toBe(403);
    expect((await call("POST", "/ServiceProviderConfig", { body: {} })).status).toBe(405);
  });

  it("answers malformed requests with RFC 7644 §3.12 errors", async () => {
    const db = await testDb();
    const { call } = await scimClient(db);
    const badFilter = await call("GET", q('userName eq "a" garbage'));
    expect(badFilter.status).toBe(400);
    expect(badFilter.json).toMatchObject({ schemas: [ERROR], status: "400", scimType: "invalidFilter" });
    expect((await call("GET", q('nickname xx "a"'))).json.scimType).toBe("invalidFilter");
    expect((await call("GET", q('favouriteColour eq "blue"'))).json).toMatchObject({
      scimType: "invalidFilter",
      detail: expect.stringContaining("favouriteColour"),
    });
    expect((await call("GET", q("active gt true"))).json.scimType).toBe("invalidFilter");
    expect((await call("GET", q('meta.lastModified gt "yesterday"'))).json.scimType).toBe("invalidFilter");

    const badJson = await call("POST", "/Users", { body: "{not json" });
    expect(badJson.json).toMatchObject({ status: "400", scimType: "invalidSyntax" });
    expect((await call("POST", "/Users", { body: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"] } })).json).toMatchObject({
      status: "400",
      scimType: "invalidValue",
      detail: "userName is required.",
    });
    expect((await call("POST", "/Users", { body: userBody(`${uniq("x")}@acme.example`, { active: "maybe" }) })).json.scimType).toBe("invalidValue");

    for (const path of ["/Users/00000000-0000-4000-8000-000000000000", "/Users/not-an-id", "/Groups/00000000-0000-4000-8000-000000000000", "/Nope"]) {
      const res = await call("GET", path);
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({ schemas: [ERROR], status: "404" });
    }
    expect((await call("POST", "/Bulk", { body: {} })).status).toBe(501);
  });

  it("answers hostile input with RFC 7644 errors, never a 500, and changes nothing", async () => {
    const db = await testDb();
    const { call } = await scimClient(db);
    const user = (name: string, extra: Record<string, unknown> = {}) => userBody(`${uniq(name)}@acme.example`, extra);
    // Text PostgreSQL cannot hold, in any field, is a bad value.
    for (const body of [
      user("nul", { displayName: "Ada\u0000" }),
      { ...user("nul2"), userName: "ada\u0000@acme.example" },
      user("sur", { displayName: "Ada \ud800" }),
      user("deep", { name: { givenName: "x".repeat(100_001) } }),
    ]) {
      const res = await call("POST", "/Users", { body });
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.json).toMatchObject({ schemas: [ERROR], status: "400", scimType: "invalidValue" });
    }
    // A body nested 5,000 levels deep is a syntax error, found before anything reads it recursively.
    const deep = await call("POST", "/Users", {
      body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"deep@acme.example","name":${'{"name":'.repeat(5000)}"x"${"}".repeat(5000)}}`,
    });
    expect(deep.json).toMatchObject({ status: "400", scimType: "invalidSyntax", detail: expect.stringContaining("nests deeper than 32 levels") });
    // A resource without schemas is refused (RFC 7643 §3: schemas is required).
    const bare = await call("POST", "/Users", { body: { userName: `${uniq("bare")}@acme.example` } });
    expect(bare.json).toMatchObject({ status: "400", scimType: "invalidValue", detail: expect.stringContaining("schemas is required") });
    expect((await call("POST", "/Groups", { body: { displayName: uniq("bare") } })).json).toMatchObject({ status: "400", scimType: "invalidValue" });
    // Paging beyond any list, or not a number at all.
    for (const query of ["startIndex=99999999999999999999", "startIndex=2147483648", "count=1.5", "startIndex=abc"]) {
      const res = await call("GET", `/Users?${query}`);
      expect(res.json, query).toMatchObject({ status: "400", scimType: "invalidValue" });
    }
    expect((await call("GET", "/Users?startIndex=2147483647&count=1")).json).toMatchObject({ startIndex: 2147483647, itemsPerPage: 0 });
    // Filters nested past any real need are refused before parsing (300 "not (" used to exhaust the embedded database's stack).
    const nested = await call("GET", q(`${"not (".repeat(300)}userName eq "x"${")".repeat(300)}`));
    expect(nested.json).toMatchObject({ status: "400", scimType: "invalidFilter", detail: expect.stringContaining("nests brackets deeper than 16 levels") });
    expect((await call("GET", q(`${"not (".repeat(16)}userName eq "x"${")".repeat(16)}`))).status).toBe(200);
    expect((await call("GET", q('userName eq "a\u0000"'))).json).toMatchObject({ status: "400", scimType: "invalidValue" });
    expect((await call("GET", q('userName eq "((((((((((((((((((("'))).status).toBe(200);
  });

  it("answers an unexpected failure with 500 and a generic detail, logging the cause", async () => {
    const db = await testDb();
    const { token } = await scimClient(db);
    const broken = {
      select: () => {
        throw new Error("connection to 10.0.0.7 refused: password=hunter2");
      },
    } as unknown as Db;
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await handleScim(broken, token, {
      method: "GET",
      segments: ["Users"],
      searchParams: new URLSearchParams(),
      headers: new Headers(),
      baseUrl: BASE_URL,
    });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ schemas: [ERROR], status: "500", detail: "Something went wrong on our side. It has been logged." });
    expect(log).toHaveBeenCalled();
    log.mockRestore();
  });
});
