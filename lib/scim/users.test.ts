import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, identities, lifecycleEvents, teams } from "@/db/schema";
import { makePerson, testDb, uniq } from "@/lib/testing/harness";
import { BASE_URL, patchBody, q, scimClient, userBody } from "./test-client";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const eventsOf = (db: Awaited<ReturnType<typeof testDb>>, id: string) =>
  db.select().from(lifecycleEvents).where(eq(lifecycleEvents.identityId, id)).orderBy(lifecycleEvents.createdAt);
const rowOf = async (db: Awaited<ReturnType<typeof testDb>>, id: string) => (await db.select().from(identities).where(eq(identities.id, id)))[0];
const ids = (list: { Resources: { id: string }[] }) => list.Resources.map((r) => r.id);

describe("SCIM Users", () => {
  it("creates a person as a joiner: 201 with Location and ETag, kept as the identity provider wrote it", async () => {
    const db = await testDb();
    const { call, tokenName } = await scimClient(db);
    const userName = `${uniq("ada")}@acme.example`;
    const res = await call("POST", "/Users", {
      body: userBody(userName, {
        externalId: uniq("00u"),
        title: "Staff Engineer",
        phoneNumbers: [{ value: "+44 20 7946 0000", type: "work" }],
        [ENTERPRISE]: { employeeNumber: "E-1234", costCenter: "R&D" },
        password: "never-kept",
      }),
    });
    expect(res.status).toBe(201);
    const user = res.json;
    expect(res.headers.Location).toBe(`${BASE_URL}/Users/${user.id}`);
    expect(res.headers.ETag).toBe(user.meta.version);
    expect(user.meta.version).toMatch(/^W\/".+"$/);
    expect(user).toMatchObject({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
      userName,
      displayName: "Ada Lovelace",
      name: { givenName: "Ada", familyName: "Lovelace" },
      title: "Staff Engineer",
      active: true,
      emails: [{ value: userName, type: "work", primary: true }],
      phoneNumbers: [{ value: "+44 20 7946 0000", type: "work" }],
      groups: [],
      [ENTERPRISE]: { employeeNumber: "E-1234", costCenter: "R&D" },
      meta: { resourceType: "User", location: `${BASE_URL}/Users/${user.id}` },
    });
    expect(user.password).toBeUndefined();

    const row = await rowOf(db, user.id);
    expect(row).toMatchObject({ kind: "human", name: userName, email: userName, displayName: "Ada Lovelace", status: "active", title: "Staff Engineer" });
    expect(JSON.stringify(row.attributes)).not.toContain("never-kept");
    const [joiner] = await eventsOf(db, user.id);
    expect(joiner).toMatchObject({ type: "joiner", source: `scim:${tokenName}` });
    expect(joiner.processedAt).not.toBeNull();
    const audit = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, user.id), eq(auditLog.action, "identity.created")));
    expect(audit).toEqual([expect.objectContaining({ actorId: null, actorLabel: `scim: ${tokenName}` })]);

    const got = await call("GET", `/Users/${user.id}`);
    expect(got.status).toBe(200);
    expect(got.json).toEqual(user);
    expect(got.headers.ETag).toBe(user.meta.version);
  });

  it("refuses a second person with the same userName in any case (409 uniqueness)", async () => {
    const db = await testDb();
    const { call } = await scimClient(db);
    const userName = `${uniq("dup")}@acme.example`;
    expect((await call("POST", "/Users", { body: userBody(userName) })).status).toBe(201);
    const again = await call("POST", "/Users", {
      body: userBody(userName.toUpperCase(), { emails: [{ value: `${uniq("other")}@acme.example`, primary: true }] }),
    });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ status: "409", scimType: "uniqueness" });
    // A seeded person's email is their userName too.
    const seeded = await makePerson(db);
    expect((await call("POST", "/Users", { body: userBody(seeded.email!) })).json.scimType).toBe("uniqueness");
  });

  it("shows people it never created with their email as userName, and never shows non-human identities", async () => {
    const db = await testDb();
    const { call } = await scimClient(db);
    const seeded = await makePerson(db);
    const got = await call("GET", `/Users/${seeded.id}`);
    expect(got.json).toMatchObject({
      id: seeded.id,
      userName: seeded.email,
      displayName: seeded.displayName,
      active: true,
      emails: [{ value: seeded.email, primary: true }],
    });
    const found = await call("GET", q(`userName eq "${seeded.email!.toUpperCase()}"`));
    expect(ids(found.json)).toEqual([seeded.id]);
  });

  it("filters in the database: eq, co, sw, ew, ne, pr, gt, and, or, not and value paths", async () => {
    const db = await testDb();
    const { call } = await scimClient(db);
    const tag = uniq("flt");
    const make = async (local: string, extra: Record<string, unknown> = {}) =>
      (
        await call("POST", "/Users", {
          body: userBody(`${local}.${tag}@acme.example`, { displayName: `${tag} ${local}`, externalId: `${tag}-${local}`, ...extra }),
        })
      ).json;
    const ann = await make("ann", {
      emails: [
        { value: `ann.${tag}@acme.example`, type: "work", primary: true },
        { value: `ann.${tag}@home.example`, type: "home" },
      ],
    });
    const bob = await make("bob", { title: "Engineer" });
    const cid = await make("cid", { active: false });

    expect(ids((await call("GET", q(`userName eq "ann.${tag}@acme.example"`))).json)).toEqual([ann.id]);
    expect(ids((await call("GET", q(`emails.value co "${tag}@home"`))).json)).toEqual([ann.id]);
    expect(ids((await call("GET", q(`emails co "${tag}@home"`))).json)).toEqual([ann.id]);
    expect(ids((await call("GET", q(`emails[type eq "home" and value co "${tag}"]`))).json)).toEqual([ann.id]);
    expect(ids((await call("GET", q(`displayName sw "${tag} "`))).json)).toEqual([ann.id, bob.id, cid.id]);
    expect(ids((await call("GET", q(`userName ew "${tag}@ACME.example" and displayName ew "b"`))).json)).toEqual([bob.id]);
    expect(ids((await call("GET", q(`userName eq "ann.${tag}@acme.example" or userName eq "bob.${tag}@acme.example"`))).json)).toEqual([ann.id, bob.id]);
    expect(ids((await call("GET", q(`externalId eq "${tag}-cid" and active eq true`))).json)).toEqual([]);
    expect(ids((await call("GET", q(`externalId eq "${tag}-cid" and active eq false`))).json)).toEqual([cid.id]);
    expect(ids((await call("GET", q(`externalId eq "${tag}-ann" and active eq true`))).json)).toEqual([ann.id]);
    // externalId is case-exact (RFC 7643), userName is not.
    expect(ids((await call("GET", q(`externalId eq "${tag.toUpperCase()}-ANN"`))).json)).toEqual([]);
    expect(ids((await call("GET", q(`displayName sw "${tag}" and title pr`))).json)).toEqual([bob.id]);
    expect(ids((await call("GET", q(`displayName sw "${tag}" and not (title pr)`))).json)).toEqual([ann.id, cid.id]);
    expect(ids((await call("GET", q(`displayName sw "${tag}" and active ne true`))).json)).toEqual([cid.id]);
    expect(ids((await call("GET", q(`id eq "${bob.id}"`))).json)).toEqual([bob.id]);
    expect(ids((await call("GET", q(`displayName sw "${tag}" and meta.lastModified gt "${bob.meta.lastModified}"`))).json)).toEqual([cid.id]);
    expect(ids((await call("GET", q(`displayName sw "${tag}" and (userName sw "ann" or userName sw "cid")`))).json)).toEqual([ann.id, cid.id]);
    // LIKE wildcards in a value are literal.
    expect(ids((await call("GET", q(`displayName co "${tag}%"`))).json)).toEqual([]);
  });

  it("pages: startIndex is 1-based, count defaults to 100 and is capped at 1000", async () => {
    const db = await testDb();
    const { call } = await scimClient(db);
    const tag = uniq("page");
    const created: string[] = [];
    for (let i = 0; i < 5; i++)
      created.push((await call("POST", "/Users", { body: userBody(`${tag}-${i}@acme.example`, { displayName: `${tag} ${i}` }) })).json.id);
    const page = await call("GET", q(`displayName sw "${tag}"`, "&startIndex=3&count=2"));
    expect(page.json).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], totalResults: 5, startIndex: 3, itemsPerPage: 2 });
    expect(ids(page.json)).toEqual(created.slice(2, 4));
    const last = await call("GET", q(`displayName sw "${tag}"`, "&startIndex=5&count=10"));
    expect(ids(last.json)).toEqual([created[4]]);
    const none = await call("GET", q(`displayName sw "${tag}"`, "&count=0"));
    expect(none.json).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] });
    const defaults = await call("GET", q(`displayName sw "${tag}"`, "&startIndex=0&count=-3"));
    expect(defaults.json).toMatchObject({ totalResults: 5, startIndex: 1, itemsPerPage: 0 });
    const all = await call("GET", "/Users?count=5000");
    expect(all.json.itemsPerPage).toBeLessThanOrEqual(1000);
    expect(all.json.itemsPerPage).toBe(Math.min(all.json.totalResults, 1000));
    const dflt = await call("GET", "/Users");
    expect(dflt.json.itemsPerPage).toBe(Math.min(dflt.json.totalResults, 100));
    const search = await call("POST", "/Users/.search", {
      body: { schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], filter: `displayName sw "${tag}"`, startIndex: 2, count: 1 },
    });
    expect(ids(search.json)).toEqual([created[1]]);
  });

  it("returns only the attributes asked for, or all but the excluded ones", async () => {
    const db = await testDb();
    const { call } = await scimClient(db);
    const created = (await call("POST", "/Users", { body: userBody(`${uniq("attr")}@acme.example`, { [ENTERPRISE]: { employeeNumber: "7" } }) })).json;
    const some = await call("GET", `/Users/${created.id}?attributes=userName,name.givenName,emails.value,${ENTERPRISE}:employeeNumber`);
    expect(some.json).toEqual({
      schemas: created.schemas,
      id: created.id,
      userName: created.userName,
      name: { givenName: "Ada" },
      emails: [{ value: created.userName }],
      [ENTERPRISE]: { employeeNumber: "7" },
    });
    const without = await call("GET", `/Users/${created.id}?excludedAttributes=groups,emails,name.familyName,id`);
    expect(without.json.emails).toBeUndefined();
    expect(without.json.groups).toBeUndefined();
    expect(without.json.name).toEqual({ givenName: "Ada" });
    expect(without.json.id).toBe(created.id);
  });

  it("replaces a person with PUT: what the body leaves out is gone, the ETag changes", async () => {
    const db = await testDb();
    const { call } = await scimClient(db);
    const userName = `${uniq("put")}@acme.example`;
    const created = (await call("POST", "/Users", { body: userBody(userName, { nickName: "Countess", title: "Analyst" }) })).json;
    const newEmail = `${uniq("put-new")}@acme.example`;
    const put = await call("PUT", `/Users/${created.id}`, {
      body: {
        schemas: created.schemas,
        id: created.id,
        userName,
        displayName: "Ada King",
        emails: [{ value: newEmail, type: "work", primary: true }],
        active: true,
      },
    });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ userName, displayName: "Ada King", emails: [{ value: newEmail, type: "work", primary: true }], active: true });
    expect(put.json.nickName).toBeUndefined();
    expect(put.json.title).toBeUndefined();
    expect(put.json.name).toBeUndefined();
    expect(put.headers.ETag).not.toBe(created.meta.version);
    expect(await rowOf(db, created.id)).toMatchObject({ email: newEmail, displayName: "Ada King", title: null });
    // The same body again writes nothing and keeps the version.
    const same = await call("PUT", `/Users/${created.id}`, {
      body: { schemas: created.schemas, userName, displayName: "Ada King", emails: [{ value: newEmail, type: "work", primary: true }] },
    });
    expect(same.headers.ETag).toBe(put.headers.ETag);
    expect(same.json.meta.lastModified).toBe(put.json.meta.lastModified);
  });

  it("patches as Okta and Entra ID send it", async () => {
    const db = await testDb();
    const { call } = await scimClient(db);
    const userName = `${uniq("patch")}@acme.example`;
    const created = (await call("POST", "/Users", { body: userBody(userName) })).json;
    const manager = await makePerson(db);
    const work = `${uniq("entra")}@acme.example`;
    const entra = await call("PATCH", `/Users/${created.id}`, {
      body: patchBody(
        { op: "Replace", path: "name.givenName", value: "Augusta" },
        { op: "Add", path: 'emails[type eq "work"].value', value: work },
        { op: "Add", path: `${ENTERPRISE}:manager`, value: manager.id },
        { op: "Add", path: `${ENTERPRISE}:department`, value: `Analytical Engines ${uniq("t")}` },
        { op: "replace", path: "Title", value: "Countess" },
      ),
    });
    expect(entra.status).toBe(200);
    expect(entra.json).toMatchObject({
      name: { givenName: "Augusta", familyName: "Lovelace" },
      title: "Countess",
      emails: [{ value: work, type: "work", primary: true }],
      [ENTERPRISE]: { manager: { value: manager.id, displayName: manager.displayName }, department: expect.stringMatching(/^Analytical Engines/) },
    });
    const row = await rowOf(db, created.id);
    expect(row).toMatchObject({ managerId: manager.id, email: work, title: "Countess" });
    const [team] = await db.select().from(teams).where(eq(teams.id, row.teamId!));
    expect(team.name).toBe(entra.json[ENTERPRISE].department);

    const okta = await call("PATCH", `/Users/${created.id}`, {
      body: patchBody({ op: "replace", value: { displayName: "A. A. Lovelace", "name.familyName": "King", nickName: "Ada" } }),
    });
    expect(okta.json).toMatchObject({ displayName: "A. A. Lovelace", name: { givenName: "Augusta", familyName: "King" }, nickName: "Ada" });
    const removed = await call("PATCH", `/Users/${created.id}`, {
      body: patchBody({ op: "remove", path: "nickName" }, { op: "Remove", path: `${ENTERPRISE}:manager` }),
    });
    expect(removed.json.nickName).toBeUndefined();
    expect(removed.json[ENTERPRISE].manager).toBeUndefined();
    expect((await rowOf(db, created.id)).managerId).toBeNull();

    const bad = await call("PATCH", `/Users/${created.id}`, {
      body: patchBody({ op: "add", path: `${ENTERPRISE}:manager`, value: { value: "00000000-0000-4000-8000-000000000000" } }),
    });
    expect(bad.json).toMatchObject({ status: "400", scimType: "invalidValue" });
    expect((await call("PATCH", `/Users/${created.id}`, { body: patchBody({ op: "remove" }) })).json.scimType).toBe("noTarget");
    expect((await call("PATCH", `/Users/${created.id}`, { body: patchBody({ op: "frobnicate", path: "title", value: 1 }) })).json.scimType).toBe(
      "invalidSyntax",
    );
    expect((await call("PATCH", `/Users/${created.id}`, { body: { Operations: [] } })).json.scimType).toBe("invalidSyntax");
  });

  it("deactivates (Okta's and Entra's way) as a leaver once, and re-activates as a joiner", async () => {
    const db = await testDb();
    const { call } = await scimClient(db);
    const okta = (await call("POST", "/Users", { body: userBody(`${uniq("okta")}@acme.example`) })).json;
    const entra = (await call("POST", "/Users", { body: userBody(`${uniq("entra")}@acme.example`) })).json;

    const off = await call("PATCH", `/Users/${okta.id}`, { body: patchBody({ op: "replace", value: { active: false } }) });
    expect(off.json.active).toBe(false);
    const offEntra = await call("PATCH", `/Users/${entra.id}`, { body: patchBody({ op: "Replace", path: "active", value: "False" }) });
    expect(offEntra.json.active).toBe(false);
    for (const id of [okta.id, entra.id]) {
      expect((await rowOf(db, id)).status).toBe("offboarded");
      expect((await eventsOf(db, id)).map((e) => e.type)).toEqual(["joiner", "leaver"]);
    }
    // Sent again (identity providers retry): nothing is processed twice.
    await call("PATCH", `/Users/${okta.id}`, { body: patchBody({ op: "replace", path: "active", value: false }) });
    expect((await call("PUT", `/Users/${entra.id}`, { body: { schemas: entra.schemas, userName: entra.userName, active: false } })).status).toBe(200);
    expect((await eventsOf(db, okta.id)).map((e) => e.type)).toEqual(["joiner", "leaver"]);
    expect((await eventsOf(db, entra.id)).map((e) => e.type)).toEqual(["joiner", "leaver"]);

    const back = await call("PATCH", `/Users/${okta.id}`, { body: patchBody({ op: "replace", value: { active: true } }) });
    expect(back.json.active).toBe(true);
    expect((await rowOf(db, okta.id)).status).toBe("active");
    expect((await eventsOf(db, okta.id)).map((e) => e.type)).toEqual(["joiner", "leaver", "joiner"]);
    expect(ids((await call("GET", q(`userName eq "${okta.userName}" and active eq true`))).json)).toEqual([okta.id]);
  });

  it("honours If-Match (412 on a stale copy) and If-None-Match (304 when current)", async () => {
    const db = await testDb();
    const { call } = await scimClient(db);
    const created = await call("POST", "/Users", { body: userBody(`${uniq("etag")}@acme.example`) });
    const id = created.json.id;
    const etag = created.headers.ETag;
    const notModified = await call("GET", `/Users/${id}`, { headers: { "If-None-Match": etag } });
    expect(notModified).toMatchObject({ status: 304, body: null, headers: { ETag: etag } });
    const changed = await call("PATCH", `/Users/${id}`, { body: patchBody({ op: "replace", path: "title", value: "Poet" }), headers: { "If-Match": etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.ETag).not.toBe(etag);

    const stale = await call("PATCH", `/Users/${id}`, {
      body: patchBody({ op: "replace", path: "title", value: "Mathematician" }),
      headers: { "If-Match": etag },
    });
    expect(stale.status).toBe(412);
    expect(stale.json).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "412" });
    expect((await rowOf(db, id)).title).toBe("Poet");
    expect((await call("PUT", `/Users/${id}`, { body: userBody(created.json.userName), headers: { "If-Match": etag } })).status).toBe(412);
    expect((await call("DELETE", `/Users/${id}`, { headers: { "If-Match": etag } })).status).toBe(412);
    expect((await call("GET", `/Users/${id}`, { headers: { "If-None-Match": etag } })).status).toBe(200);
    expect(
      (await call("PATCH", `/Users/${id}`, { body: patchBody({ op: "replace", path: "title", value: "Mathematician" }), headers: { "If-Match": "*" } })).status,
    ).toBe(200);
  });

  it("deletes: the person leaves, is gone from SCIM, and the row stays as evidence", async () => {
    const db = await testDb();
    const { call } = await scimClient(db);
    const created = (await call("POST", "/Users", { body: userBody(`${uniq("del")}@acme.example`) })).json;
    const deleted = await call("DELETE", `/Users/${created.id}`);
    expect(deleted).toMatchObject({ status: 204, body: null });
    expect((await call("GET", `/Users/${created.id}`)).status).toBe(404);
    expect((await call("DELETE", `/Users/${created.id}`)).status).toBe(404);
    expect((await call("PATCH", `/Users/${created.id}`, { body: patchBody({ op: "replace", path: "title", value: "x" }) })).status).toBe(404);
    expect((await call("GET", q(`userName eq "${created.userName}"`))).json.totalResults).toBe(0);
    const row = await rowOf(db, created.id);
    expect(row.status).toBe("offboarded");
    expect((row.attributes.scim as { deleted?: string }).deleted).toEqual(expect.any(String));
    expect((await eventsOf(db, created.id)).map((e) => e.type)).toEqual(["joiner", "leaver"]);

    // Created again with the same userName: the same person comes back, a joiner again.
    const again = await call("POST", "/Users", { body: userBody(created.userName) });
    expect(again.status).toBe(201);
    expect(again.json.id).toBe(created.id);
    expect((await rowOf(db, created.id)).status).toBe("active");
    expect((await eventsOf(db, created.id)).map((e) => e.type)).toEqual(["joiner", "leaver", "joiner"]);
  });
});
