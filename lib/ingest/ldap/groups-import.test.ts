import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import * as route from "@/app/api/v1/imports/ldap-groups/route";
import { entitlements, grants, identities } from "@/db/schema";
import { getCaller } from "@/lib/auth/auth";
import { makeCaller, testDb, uniq } from "@/lib/testing/harness";
import { callRoute } from "@/lib/testing/routes";
import { GRANTS, SUFFIX, groupDn, personDn, slapdAvailable, startSlapd, type TestSlapd } from "@/lib/testing/slapd";
import { directoryGroupLevel } from "./levels";
import { importDirectoryGroups } from "./groups-import";

vi.mock("@/lib/auth/auth", () => ({ getCaller: vi.fn(async () => null) }));
vi.mock("@/db/client", (importOriginal) => import("@/lib/testing/routes").then((m) => m.onTestDatabase(importOriginal)));
afterEach(() => vi.unstubAllEnvs());

const post = (body: unknown) => callRoute(route.POST, { path: "/api/v1/imports/ldap-groups", body });

it("knows Active Directory's built-in privileged groups by name, and nothing of any other", () => {
  expect(directoryGroupLevel("Domain Admins")).toBe("admin");
  expect(directoryGroupLevel(" backup operators ")).toBe("privileged");
  expect(directoryGroupLevel("dba")).toBeNull();
});

describe.skipIf(!slapdAvailable())("importing a directory's groups (a real slapd)", () => {
  let slapd: TestSlapd;
  beforeAll(async () => {
    slapd = await startSlapd();
  });
  afterAll(() => slapd?.stop());
  // The same directory, searched from its suffix rather than the per-grant container.
  const fromSuffix = () => slapd.url.replace(GRANTS, SUFFIX);

  it("brings groups, people and memberships in, again without change, and follows the directory", async () => {
    const db = await testDb();
    const system = uniq("corp-ldap");
    await slapd.addMember(groupDn("dba"), personDn("alice"));
    await slapd.addMember(groupDn("ops"), personDn("bob"));
    await slapd.addMember(groupDn("ops"), `cn=gov_0f8fad5bd9cb469fa16570867728950e,${GRANTS}`);
    await slapd.addMember(groupDn("ops"), `cn=nested,ou=groups,${SUFFIX}`);
    const s = await importDirectoryGroups(db, { system, url: fromSuffix() });
    expect(s).toMatchObject({ systemCreated: true, people: { created: 3 }, groups: { created: 2 }, grants: { added: 2 }, unresolvedMembers: 1 });
    const dba = (await db.select().from(entitlements).where(eq(entitlements.systemId, s.systemId))).find((e) => e.name === "dba")!;
    expect(dba).toMatchObject({ externalRef: groupDn("dba"), privilegeLevel: "standard" });
    const [alice] = await db
      .select()
      .from(identities)
      .where(and(eq(identities.systemId, s.systemId), eq(identities.name, "alice")));
    expect(alice).toMatchObject({ kind: "human", externalId: personDn("alice"), attributes: { mail: "alice@example.org" } });

    // An admin's level stays; a second import with nothing changed changes nothing.
    await db.update(entitlements).set({ privilegeLevel: "admin" }).where(eq(entitlements.id, dba.id));
    expect(await importDirectoryGroups(db, { system, url: fromSuffix() })).toMatchObject({
      people: { created: 0 },
      groups: { created: 0 },
      grants: { added: 0, kept: 2, removed: 0 },
    });
    expect((await db.select().from(entitlements).where(eq(entitlements.id, dba.id)))[0].privilegeLevel).toBe("admin");

    // Bob leaves ops in the directory: his imported grant ends.
    await slapd.removeMember(groupDn("ops"), personDn("bob"));
    expect((await importDirectoryGroups(db, { system, url: fromSuffix() })).grants).toMatchObject({ removed: 1 });
    const live = await db.select().from(grants).where(eq(grants.entitlementId, dba.id));
    expect(live).toHaveLength(1);
  });

  it("through the API: admins only, the directory named by an environment variable; bad input and an unreachable directory change nothing", async () => {
    const db = await testDb();
    vi.mocked(getCaller).mockResolvedValue(await makeCaller(db, ["auditor"]));
    expect((await post({ system: "x", urlEnv: "X" })).status).toBe(403);
    vi.mocked(getCaller).mockResolvedValue(await makeCaller(db, ["admin"]));
    expect((await post({ system: "x", url: fromSuffix() })).status).toBe(422);
    expect((await post({ system: "bad name\u0000", urlEnv: "X" })).status).toBe(422);
    expect((await post({ system: "x", urlEnv: "GOV_TEST_UNSET_LDAP_URL" })).json.error.fieldErrors.urlEnv).toEqual([
      "GOV_TEST_UNSET_LDAP_URL is not set on the server.",
    ]);
    vi.stubEnv("GOV_TEST_LDAP_URL", "ldap://cn=admin,dc=example,dc=org:wrong@127.0.0.1:1/dc=example,dc=org");
    const system = uniq("corp-ldap");
    expect((await post({ system, urlEnv: "GOV_TEST_LDAP_URL" })).status).toBe(502);
    vi.stubEnv("GOV_TEST_LDAP_URL", "ldap://host-without-base");
    expect((await post({ system, urlEnv: "GOV_TEST_LDAP_URL" })).json.error.fieldErrors).toHaveProperty("url");
    vi.stubEnv("GOV_TEST_LDAP_URL", fromSuffix());
    const res = await post({ system, urlEnv: "GOV_TEST_LDAP_URL" });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ system, systemCreated: true });
  });
});
