import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, identities, lifecycleEvents, teamMembers, teams } from "@/db/schema";
import { makeNhi, makePerson, testDb, uniq } from "@/lib/testing/harness";
import { BASE_URL, groupBody, patchBody, scimClient, userBody } from "./test-client";

type Db = Awaited<ReturnType<typeof testDb>>;
const rowOf = async (db: Db, id: string) => (await db.select().from(identities).where(eq(identities.id, id)))[0];
const memberIds = (group: { members?: { value: string }[] }) => (group.members ?? []).map((m) => m.value).sort();
const moves = async (db: Db, id: string) =>
  await db
    .select()
    .from(lifecycleEvents)
    .where(and(eq(lifecycleEvents.identityId, id), eq(lifecycleEvents.type, "mover")));
const gq = (filter: string, extra = "") => `/Groups?filter=${encodeURIComponent(filter)}${extra}`;

describe("SCIM Groups", () => {
  it("creates a team with members; a member without a primary team gets this one", async () => {
    const db = await testDb();
    const { call, tokenName } = await scimClient(db);
    const ann = (await call("POST", "/Users", { body: userBody(`${uniq("ann")}@acme.example`) })).json;
    const bob = await makePerson(db);
    const name = uniq("Platform");
    const res = await call("POST", "/Groups", {
      body: {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        displayName: name,
        members: [{ value: ann.id }, { value: bob.id, display: "ignored" }],
      },
    });
    expect(res.status).toBe(201);
    const group = res.json;
    expect(res.headers.Location).toBe(`${BASE_URL}/Groups/${group.id}`);
    expect(res.headers.ETag).toBe(group.meta.version);
    expect(group).toMatchObject({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: name,
      meta: { resourceType: "Group", location: `${BASE_URL}/Groups/${group.id}` },
    });
    expect(memberIds(group)).toEqual([ann.id, bob.id].sort());
    expect(group.members).toContainEqual({ value: ann.id, display: "Ada Lovelace", type: "User", $ref: `${BASE_URL}/Users/${ann.id}` });
    expect((await rowOf(db, ann.id)).teamId).toBe(group.id);
    // The app leaves a team its identity provider placed to that provider.
    expect((await db.select({ managedBy: teams.managedBy }).from(teams).where(eq(teams.id, group.id)))[0].managedBy).toBe(`scim:${tokenName}`);
    expect((await call("GET", `/Users/${ann.id}`)).json.groups).toEqual([
      { value: group.id, display: name, type: "direct", $ref: `${BASE_URL}/Groups/${group.id}` },
    ]);
    expect(
      await db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.entityId, group.id), eq(auditLog.action, "team.members_added"))),
    ).toEqual([expect.objectContaining({ actorLabel: `scim: ${tokenName}` })]);
    // First placement is not a move.
    expect(await moves(db, ann.id)).toEqual([]);

    expect((await call("POST", "/Groups", { body: groupBody(name.toUpperCase()) })).json).toMatchObject({ status: "409", scimType: "uniqueness" });
    const nhi = await makeNhi(db);
    expect((await call("POST", "/Groups", { body: groupBody(uniq("g"), { members: [{ value: nhi.id }] }) })).json).toMatchObject({
      status: "400",
      scimType: "invalidValue",
    });
  });

  it("lists and filters groups, with or without their members", async () => {
    const db = await testDb();
    const { call } = await scimClient(db);
    const person = await makePerson(db);
    const tag = uniq("grp");
    const a = (await call("POST", "/Groups", { body: groupBody(`${tag} Alpha`, { members: [{ value: person.id }] }) })).json;
    const b = (await call("POST", "/Groups", { body: groupBody(`${tag} Beta`) })).json;
    const byName = await call("GET", gq(`displayName eq "${tag} beta"`));
    expect(byName.json.Resources.map((g: { id: string }) => g.id)).toEqual([b.id]);
    const byMember = await call("GET", gq(`members.value eq "${person.id}"`));
    expect(byMember.json.Resources.map((g: { id: string }) => g.id)).toEqual([a.id]);
    const slim = await call("GET", gq(`displayName sw "${tag}"`, "&excludedAttributes=members"));
    expect(slim.json).toMatchObject({ totalResults: 2, itemsPerPage: 2 });
    expect(slim.json.Resources[0].members).toBeUndefined();
    expect(slim.json.Resources[0].meta.version).toBe(a.meta.version);
    const full = await call("GET", gq(`displayName sw "${tag}"`));
    expect(memberIds(full.json.Resources[0])).toEqual([person.id]);
    expect((await call("GET", gq('externalId eq "x"'))).json.totalResults).toBe(0);
  });

  it("patches membership as Okta and Entra ID send it, and renames", async () => {
    const db = await testDb();
    const { call } = await scimClient(db);
    const [p1, p2, p3] = [await makePerson(db), await makePerson(db), await makePerson(db)];
    const group = (await call("POST", "/Groups", { body: groupBody(uniq("Data")) })).json;
    const url = `/Groups/${group.id}`;

    const add = await call("PATCH", url, { body: patchBody({ op: "add", path: "members", value: [{ value: p1.id }, { value: p2.id }, { value: p3.id }] }) });
    expect(add.status).toBe(204);
    expect(add.headers.ETag).not.toBe(group.meta.version);
    expect(memberIds((await call("GET", url)).json)).toEqual([p1.id, p2.id, p3.id].sort());

    // Okta: remove by value filter.
    await call("PATCH", url, { body: patchBody({ op: "remove", path: `members[value eq "${p1.id}"]` }) });
    // Entra ID: remove with the members in value, op capitalised.
    await call("PATCH", url, { body: patchBody({ op: "Remove", path: "members", value: [{ value: p2.id }] }) });
    expect(memberIds((await call("GET", url)).json)).toEqual([p3.id]);
    // Adding someone already there, or removing someone absent, is harmless.
    expect(
      (
        await call("PATCH", url, {
          body: patchBody({ op: "Add", path: "members", value: [{ value: p3.id }] }, { op: "remove", path: `members[value eq "${p1.id}"]` }),
        })
      ).status,
    ).toBe(204);

    const renamed = uniq("Data Platform");
    const okta = await call("PATCH", `${url}?attributes=displayName`, { body: patchBody({ op: "replace", value: { id: group.id, displayName: renamed } }) });
    expect(okta.json).toEqual({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], id: group.id, displayName: renamed });
    await call("PATCH", url, { body: patchBody({ op: "Replace", path: "displayName", value: `${renamed} 2` }) });
    expect((await db.select().from(teams).where(eq(teams.id, group.id)))[0].name).toBe(`${renamed} 2`);

    const replaced = await call("PATCH", url, { body: patchBody({ op: "replace", path: "members", value: [{ value: p1.id }] }) });
    expect(replaced.status).toBe(204);
    expect(memberIds((await call("GET", url)).json)).toEqual([p1.id]);
    await call("PATCH", url, { body: patchBody({ op: "remove", path: "members" }) });
    expect(memberIds((await call("GET", url)).json)).toEqual([]);

    expect((await call("PATCH", url, { body: patchBody({ op: "add", path: "members", value: [{ value: "nobody" }] }) })).json.scimType).toBe("invalidValue");
    expect((await call("PATCH", url, { body: patchBody({ op: "remove", path: "displayName" }) })).json.scimType).toBe("invalidValue");
  });

  it("moves a person's primary team when they leave it: a mover; joining an extra group is not", async () => {
    const db = await testDb();
    const { call } = await scimClient(db);
    const person = (await call("POST", "/Users", { body: userBody(`${uniq("mia")}@acme.example`) })).json;
    const first = (await call("POST", "/Groups", { body: groupBody(uniq("Mobile"), { members: [{ value: person.id }] }) })).json;
    const second = (await call("POST", "/Groups", { body: groupBody(uniq("Growth")) })).json;
    await call("PATCH", `/Groups/${second.id}`, { body: patchBody({ op: "add", path: "members", value: [{ value: person.id }] }) });
    expect((await rowOf(db, person.id)).teamId).toBe(first.id);
    expect(await moves(db, person.id)).toEqual([]);

    await call("PATCH", `/Groups/${first.id}`, { body: patchBody({ op: "remove", path: `members[value eq "${person.id}"]` }) });
    expect((await rowOf(db, person.id)).teamId).toBe(second.id);
    const [move] = await moves(db, person.id);
    expect(move.details).toMatchObject({ teamId: { from: first.id, to: second.id } });
    expect((await call("GET", `/Users/${person.id}`)).json["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]).toEqual({
      department: second.displayName,
    });
  });

  it("replaces a group with PUT and deletes it; members' primary team moves on", async () => {
    const db = await testDb();
    const { call } = await scimClient(db);
    const [p1, p2] = [await makePerson(db), await makePerson(db)];
    const group = (await call("POST", "/Groups", { body: groupBody(uniq("Identity"), { members: [{ value: p1.id }] }) })).json;
    const put = await call("PUT", `/Groups/${group.id}`, { body: groupBody(group.displayName, { members: [{ value: p2.id }] }) });
    expect(put.status).toBe(200);
    expect(memberIds(put.json)).toEqual([p2.id]);
    expect((await rowOf(db, p1.id)).teamId).toBeNull();
    expect((await rowOf(db, p2.id)).teamId).toBe(group.id);

    expect((await call("GET", `/Groups/${group.id}`, { headers: { "If-None-Match": put.headers.ETag } })).status).toBe(304);
    expect((await call("GET", `/Groups/${group.id}`, { headers: { "If-None-Match": group.meta.version } })).status).toBe(200);
    expect((await call("DELETE", `/Groups/${group.id}`, { headers: { "If-Match": group.meta.version } })).status).toBe(412);
    expect((await call("DELETE", `/Groups/${group.id}`)).status).toBe(204);
    expect((await call("GET", `/Groups/${group.id}`)).status).toBe(404);
    expect(await db.select().from(teamMembers).where(eq(teamMembers.teamId, group.id))).toEqual([]);
    expect((await rowOf(db, p2.id)).teamId).toBeNull();
    expect(
      await db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.entityId, group.id), eq(auditLog.action, "team.deleted"))),
    ).toHaveLength(1);
  });
});
