import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { queryRows } from "@/db/rows";
import { connectors, entitlements, findings, grants, identities, issuedCredentials, jitRequests } from "@/db/schema";
import { handOutCredential as handOut, type LdapAccount } from "@/lib/jit/credential";
import { releaseRequest } from "@/lib/jit/end";
import { approvedFor, jitOrg } from "@/lib/jit/test-fixtures";
import { updatePolicy } from "@/lib/jit/policies";
import { sweepRequests } from "@/lib/jit/window";
import { testDatabase, uniq } from "@/lib/testing/harness";
import { GRANTS, groupDn, personDn, slapdAvailable, startSlapd, type TestSlapd } from "@/lib/testing/slapd";
import { checkConnector, createConnector, getConnector } from "./admin";
import { deliverOne, dispatchAccessEvents } from "./dispatch";
import { assertDn, directoryUrlProblem, dnKey, grantAccountDn, grantOfAccount, sshaHash } from "./ldap-target";

const available = slapdAvailable();

/** The "product": delivers what the outbox holds to the connector, as the job runner would. */
async function deliverAll(db: Db, admin: Parameters<typeof getConnector>[1], connectorId: string) {
  await dispatchAccessEvents(db);
  for (const d of (await getConnector(db, admin, connectorId, { status: "pending" })).deliveries.rows) await deliverOne(db, d.delivery.id);
}

const handOutCredential = async (...args: Parameters<typeof handOut>) => (await handOut(...args)) as LdapAccount;

describe("directory names", () => {
  it("compares DNs as the directory does, and knows the accounts it makes for grants", () => {
    expect(dnKey("CN=DBA, OU=Groups,dc=Example, dc=org")).toBe(dnKey("cn=dba,ou=groups,dc=example,dc=org"));
    expect(dnKey("cn=a\\,b,dc=x")).not.toBe(dnKey("cn=a,b,dc=x"));
    const grant = "0f8fad5b-d9cb-469f-a165-70867728950e";
    expect(grantOfAccount(GRANTS, grantAccountDn(GRANTS, grant).toUpperCase().replace("CN=GOV_", "cn=gov_"))).toBe(grant);
    expect(grantOfAccount(GRANTS, grantAccountDn("ou=elsewhere,dc=example,dc=org", grant))).toBeNull();
    expect(grantOfAccount(GRANTS, personDn("alice"))).toBeNull();
    expect(sshaHash("pencil")).toMatch(/^\{SSHA\}[A-Za-z0-9+/]{38}==$/);
    expect(directoryUrlProblem("ldap://cn=admin,dc=example,dc=org:pw@host/ou=g,dc=example,dc=org")).toBeNull();
    expect(directoryUrlProblem("http://host/ou=g")).toMatch(/ldap:\/\//);
    expect(directoryUrlProblem("ldap://host/ou=g,dc=x")).toMatch(/bind/);
    expect(directoryUrlProblem("ldap://cn=admin:pw@host")).toMatch(/container DN/);
    expect(directoryUrlProblem("ldap://cn=admin:pw@host/%E0%A4%A")).toMatch(/container DN/);
    expect(() => assertDn("Lena Novak", "identity")).toThrow(/has no directory DN/);
    expect(() => assertDn("dba", "group")).toThrow(/names no directory group/);
    expect(() => assertDn("cn=a\u0000b,dc=x", "group")).toThrow();
    expect(assertDn(personDn("alice"), "identity")).toBe(personDn("alice"));
  });
});

describe.skipIf(!available)("directory groups for JIT grants (a real slapd)", () => {
  let slapd: TestSlapd;
  beforeAll(async () => {
    slapd = await startSlapd();
  });
  afterAll(() => slapd?.stop());

  async function setUp(group = "dba") {
    const { db } = await testDatabase();
    const org = await jitOrg(db);
    await db
      .update(entitlements)
      .set({ externalRef: groupDn(group) })
      .where(eq(entitlements.id, org.entitlement.id));
    // The requester's directory entry: alice, on the directory's system.
    await db
      .update(identities)
      .set({ systemId: org.system.id, externalId: personDn("alice") })
      .where(eq(identities.id, org.requester.identityId));
    const connector = await createConnector(db, org.admin, { name: uniq("corp directory"), kind: "ldap", systemId: org.system.id, url: slapd.url });
    return { db, connector, ...org };
  }

  it("adds and removes members for grants, reads drift back, and rejects bad settings changing nothing", async () => {
    const s = await setUp("ops");
    // Settings are checked before anything is stored; the bind password never leaves the server again.
    for (const url of ["http://x", "ldap://127.0.0.1/ou=x,dc=y", "ldap://cn=a:b@127.0.0.1", "ldap://cn=a:b@\u0000/ou=x"])
      await expect(createConnector(s.db, s.admin, { name: uniq("bad"), kind: "ldap", systemId: s.system.id, url })).rejects.toMatchObject({
        status: 422,
        fieldErrors: { url: [expect.any(String)] },
      });
    await expect(createConnector(s.db, s.admin, { name: uniq("no system"), kind: "ldap", url: slapd.url })).rejects.toMatchObject({ status: 422 });
    expect(JSON.stringify(s.connector.config)).not.toContain(slapd.url.split(":")[2].split("@")[0]);

    const r = await approvedFor(s.db, s, 600);
    await deliverAll(s.db, s.admin, s.connector.id);
    expect((await slapd.members(groupDn("ops"))).map(dnKey)).toEqual([dnKey(personDn("alice"))]);
    // Delivered again (a restart mid-delivery): nothing changes.
    await deliverAll(s.db, s.admin, s.connector.id);
    expect(await checkConnector(s.db, s.connector.id)).toMatchObject({ checked: 1, unapproved: 0, missing: 0, unknownMembers: [] });

    // Someone adds bob by hand, with no approval; bob is known to the inventory.
    await s.db.insert(identities).values({ name: "bob", displayName: "Bob", kind: "human", systemId: s.system.id, externalId: personDn("bob") });
    await slapd.addMember(groupDn("ops"), personDn("bob").toUpperCase());
    expect(await checkConnector(s.db, s.connector.id)).toMatchObject({ unapproved: 1, missing: 0 });

    // Released: alice is removed at once; the group keeps the empty placeholder groupOfNames needs only if it empties.
    await releaseRequest(s.db, s.requester, r.id, {});
    await deliverAll(s.db, s.admin, s.connector.id);
    expect((await slapd.members(groupDn("ops"))).map(dnKey)).toEqual([dnKey(personDn("bob"))]);
    expect(await checkConnector(s.db, s.connector.id)).toMatchObject({ unapproved: 1, missing: 0 });
    const open = await s.db
      .select({ kind: findings.kind, title: findings.title, status: findings.status })
      .from(findings)
      .where(eq(findings.source, `connector:${s.connector.id}`));
    expect(open).toEqual([{ kind: "target_unapproved", status: "open", title: expect.stringContaining("uid=BOB,ou=PEOPLE") }]);

    // A live grant whose member the directory lost: approved but missing.
    const r2 = await approvedFor(s.db, s, 600);
    await dispatchAccessEvents(s.db);
    expect(await checkConnector(s.db, s.connector.id)).toMatchObject({ missing: 1 });
    await deliverAll(s.db, s.admin, s.connector.id);
    expect(await checkConnector(s.db, s.connector.id)).toMatchObject({ missing: 0 });
    await releaseRequest(s.db, s.requester, r2.id, {});
    await deliverAll(s.db, s.admin, s.connector.id);

    // The group missing from the directory: the delivery fails, saying which, and is retried.
    await s.db
      .update(entitlements)
      .set({ externalRef: groupDn("nosuch") })
      .where(eq(entitlements.id, s.entitlement.id));
    await approvedFor(s.db, s, 600);
    await dispatchAccessEvents(s.db);
    const [pending] = (await getConnector(s.db, s.admin, s.connector.id, { status: "pending" })).deliveries.rows;
    await expect(deliverOne(s.db, pending.delivery.id)).rejects.toThrow(/cn=nosuch,ou=groups,dc=example,dc=org does not exist/);
  }, 60_000);

  it("a grant's own account: the directory refuses its bind after expires_at with the product stopped, and at once on release", async () => {
    const s = await setUp("dba");
    await updatePolicy(s.db, s.admin, s.policy.id, { activation: "credential" });
    const r = await approvedFor(s.db, s, 5);
    const account = grantAccountDn(GRANTS, r.grantId);
    // Activation delivered: the account exists, with a password nobody knows, and is the group's member (alice is not).
    await deliverAll(s.db, s.admin, s.connector.id);
    expect((await slapd.members(groupDn("dba"))).map(dnKey)).toEqual([dnKey(account)]);

    await expect(handOutCredential(s.db, s.approvers[0], r.id)).rejects.toMatchObject({ status: 403 });
    await expect(handOutCredential(s.db, s.requester, r.id, { publicKey: "ssh-ed25519 AAAA" })).rejects.toMatchObject({ status: 422 });
    const first = await handOutCredential(s.db, s.requester, r.id);
    expect(first).toMatchObject({ kind: "ldap_account", bindDn: account, group: groupDn("dba"), validUntil: r.end.toISOString(), handedOut: 1 });
    expect(first.ldapwhoami).toContain(`-D '${account}'`);
    expect(await slapd.bind(first.bindDn, first.password)).toBe("ok");
    const credential = await handOutCredential(s.db, s.requester, r.id);
    expect(await slapd.bind(first.bindDn, first.password)).toBe("refused");
    expect(await slapd.bind(credential.bindDn, credential.password)).toBe("ok");
    expect(await checkConnector(s.db, s.connector.id)).toMatchObject({ unapproved: 0, missing: 0 });

    // From here the product does nothing until after the window's end: the directory refuses the bind by itself.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, r.end.getTime() - Date.now()) + 1500));
    expect(await slapd.bind(credential.bindDn, credential.password)).toBe("refused");

    // The product comes back: the sweep records the expiry, the delivery removes the account and its membership.
    await s.db
      .update(grants)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(grants.id, r.grantId));
    await s.db
      .update(jitRequests)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(jitRequests.id, r.id));
    expect((await sweepRequests(s.db)).settled).toBeGreaterThanOrEqual(1);
    await deliverAll(s.db, s.admin, s.connector.id);
    expect(await slapd.members(groupDn("dba"))).toEqual([]);
    const [issued] = await s.db.select().from(issuedCredentials).where(eq(issuedCredentials.grantId, r.grantId));
    expect(issued).toMatchObject({ kind: "ldap_account", username: account, handedOutCount: 2 });
    expect(issued.removedAt).not.toBeNull();
    await expect(handOutCredential(s.db, s.requester, r.id)).rejects.toMatchObject({ status: 409 });

    // Early release: refused at once.
    const r2 = await approvedFor(s.db, s, 600);
    const second = await handOutCredential(s.db, s.requester, r2.id);
    expect(await slapd.bind(second.bindDn, second.password)).toBe("ok");
    await releaseRequest(s.db, s.requester, r2.id, {});
    // Read before the removal is delivered: the ended grant's account is access nothing approves.
    expect(await checkConnector(s.db, s.connector.id)).toMatchObject({ unapproved: 1 });
    await deliverAll(s.db, s.admin, s.connector.id);
    expect(await slapd.bind(second.bindDn, second.password)).toBe("refused");
    expect(await checkConnector(s.db, s.connector.id)).toMatchObject({ unapproved: 0, missing: 0 });

    // The passwords are in no record the product keeps.
    for (const table of ["audit_log", "issued_credentials", "connector_deliveries", "access_events", "jit_requests", "notifications", "findings"]) {
      const [hit] = await queryRows<{ n: number }>(
        s.db,
        sql`select count(*)::int as n from ${sql.identifier(table)} t where t::text like ${`%${credential.password}%`} or t::text like ${`%${second.password}%`}`,
      );
      expect(hit.n, table).toBe(0);
    }

    // The directory unreachable: 502, nothing recorded.
    const r3 = await approvedFor(s.db, s, 600);
    await s.db
      .update(connectors)
      .set({ config: { url: "ldap://cn=admin,dc=example,dc=org:x@127.0.0.1:1/ou=gov-grants,dc=example,dc=org" } })
      .where(eq(connectors.id, s.connector.id));
    await expect(handOutCredential(s.db, s.requester, r3.id)).rejects.toMatchObject({ status: 502 });
    expect(await s.db.select().from(issuedCredentials).where(eq(issuedCredentials.requestId, r3.id))).toEqual([]);
  }, 60_000);
});

// .ci/run installs slapd: in CI the tests above must never be skipped for want of it.
it("slapd is present in CI (elsewhere the directory tests skip without it)", () => {
  expect(available || !process.env.CI, "no slapd at /usr/sbin/slapd with the ppolicy overlay").toBe(true);
});
