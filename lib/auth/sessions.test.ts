import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, authSessions, type SessionProvider } from "@/db/schema";
import { offboardPerson } from "@/lib/lifecycle/apply";
import { patchBody, scimClient } from "@/lib/scim/test-client";
import { makeCaller, makePerson } from "@/lib/testing/harness";
import { setRoles } from "./roles";
import { SESSION_MAX_AGE_SECONDS, SESSION_TOUCH_MS, callerForSession, startSession, sweepSessions } from "./sessions";
import { APP_URL, appDatabase, authBrowser, personaPerson } from "@/lib/testing/auth";

type Db = Awaited<ReturnType<typeof appDatabase>>;

async function sessionFor(db: Db, person: { id: string; email: string | null }, provider: SessionProvider = "oidc", now?: Date) {
  const sessionId = await startSession(db, { id: person.id, label: person.email ?? person.id }, provider, now);
  return { sessionId };
}

const recordOf = async (db: Db, id: string) => (await db.select().from(authSessions).where(eq(authSessions.id, id)))[0];
const auditOf = (db: Db, action: string, entityId: string) =>
  db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.entityId, entityId)));

describe("sign-in sessions", () => {
  it("sign-out ends the session: a cookie kept from before it no longer signs anyone in", async () => {
    const db = await appDatabase();
    const person = await personaPerson(db, "reviewer");
    const browser = authBrowser();
    const signedIn = await browser.signInAs("reviewer");
    expect(signedIn.status).toBe(302);
    const kept = browser.sessionCookie()!;
    const claims = await browser.claims(kept);
    expect((await callerForSession(db, claims))?.identityId).toBe(person.id);
    const record = await recordOf(db, claims!.sessionId!);
    expect(record).toMatchObject({ identityId: person.id, provider: "demo", revokedAt: null });
    expect(record.expiresAt.getTime() - record.createdAt.getTime()).toBe(SESSION_MAX_AGE_SECONDS * 1000);
    expect(await auditOf(db, "session.started", record.id)).toHaveLength(1);

    const out = await browser.signOut();
    expect(out.status).toBe(302);
    expect(browser.sessionCookie()).toBeUndefined();
    // The copy is still a validly signed, unexpired cookie; the record says no.
    expect(await browser.claims(kept)).toMatchObject({ sessionId: record.id });
    expect(await callerForSession(db, await browser.claims(kept))).toBeNull();
    expect(await recordOf(db, record.id)).toMatchObject({ revokedReason: "signed out", revokedAt: expect.any(Date) });
    expect(await auditOf(db, "session.ended", record.id)).toHaveLength(1);
  });

  it("refuses cookies without a session record, and records that are expired", async () => {
    const db = await appDatabase();
    const person = await makePerson(db);
    expect(await callerForSession(db, null)).toBeNull();
    expect(await callerForSession(db, { claimRoles: ["admin"] })).toBeNull(); // a cookie from before session records
    expect(await callerForSession(db, { sessionId: "not-a-uuid" })).toBeNull();
    expect(await callerForSession(db, { sessionId: "00000000-0000-4000-8000-000000000000" })).toBeNull();
    const old = await sessionFor(db, person, "oidc", new Date(Date.now() - SESSION_MAX_AGE_SECONDS * 1000 - 1));
    expect(await callerForSession(db, old)).toBeNull();
  });

  it("a demo persona's session is refused by an instance not in demo mode", async () => {
    const db = await appDatabase();
    const person = await makePerson(db, { roles: ["admin"] });
    const demo = await sessionFor(db, person, "demo");
    const oidc = await sessionFor(db, person, "oidc");
    expect((await callerForSession(db, demo, { demoMode: true }))?.identityId).toBe(person.id);
    expect(await callerForSession(db, demo, { demoMode: false })).toBeNull();
    expect((await callerForSession(db, oidc, { demoMode: false }))?.identityId).toBe(person.id);
  });

  it("a demo persona sign-in on an instance started without demo mode signs nobody in", async () => {
    const db = await appDatabase();
    await personaPerson(db, "auditor");
    const browser = authBrowser();
    expect((await browser.signInAs("auditor")).status).toBe(302);
    process.env.DEMO = "0";
    try {
      // Same database, same secret: the cookie verifies, the session is not honoured.
      expect(await callerForSession(db, await browser.claims())).toBeNull();
    } finally {
      process.env.DEMO = "1";
    }
    expect(await callerForSession(db, await browser.claims())).not.toBeNull();
  });

  it("removing a role ends the person's sessions, audited in the same change; adding one does not", async () => {
    const db = await appDatabase();
    const admin = await makeCaller(db, ["admin"]);
    const person = await makePerson(db, { roles: ["reviewer", "approver"] });
    const first = await sessionFor(db, person);
    const second = await sessionFor(db, person);
    await setRoles(db, admin, person.id, { roles: ["reviewer", "approver", "auditor"] });
    expect(await callerForSession(db, first)).not.toBeNull();

    await setRoles(db, admin, person.id, { roles: ["reviewer", "auditor"] });
    expect(await callerForSession(db, first)).toBeNull();
    expect(await callerForSession(db, second)).toBeNull();
    expect(await recordOf(db, first.sessionId)).toMatchObject({ revokedReason: "role removed: approver" });
    const [revoked] = await auditOf(db, "sessions.revoked", person.id);
    expect(revoked).toMatchObject({
      actorId: admin.identityId,
      after: { reason: "role removed: approver", sessionIds: expect.arrayContaining([first.sessionId, second.sessionId]) },
    });
    const [changed] = (await auditOf(db, "roles.changed", person.id)).slice(-1);
    expect(revoked.id).toBe(changed.id + 1); // written under the same hold of the chain's lock: one transaction

    // Signing in again works, with the roles now held.
    const fresh = await sessionFor(db, person);
    expect([...(await callerForSession(db, fresh))!.roles].sort()).toEqual(["auditor", "reviewer"]);
  });

  it("offboarding ends every session of the person, and says so in the lifecycle outcome", async () => {
    const db = await appDatabase();
    const admin = await makeCaller(db, ["admin"]);
    const person = await makePerson(db, { roles: ["reviewer"] });
    const session = await sessionFor(db, person);
    const other = await makePerson(db);
    const bystander = await sessionFor(db, other);
    const { outcome } = await offboardPerson(db, admin, person.id, { reason: "Left the company" });
    expect(outcome).toMatchObject({ sessionsEnded: 1 });
    expect(await callerForSession(db, session)).toBeNull();
    expect(await recordOf(db, session.sessionId)).toMatchObject({ revokedAt: expect.any(Date), revokedReason: expect.stringContaining("offboarded") });
    expect(await auditOf(db, "sessions.revoked", person.id)).toHaveLength(1);
    expect(await callerForSession(db, bystander)).not.toBeNull();
  });

  it("a SCIM deactivation ends the person's sessions", async () => {
    const db = await appDatabase();
    const { call } = await scimClient(db);
    const person = await makePerson(db);
    const session = await sessionFor(db, person);
    const off = await call("PATCH", `/Users/${person.id}`, { body: patchBody({ op: "replace", path: "active", value: false }) });
    expect(off.status).toBe(200);
    expect(await recordOf(db, session.sessionId)).toMatchObject({ revokedAt: expect.any(Date) });
    expect(await callerForSession(db, session)).toBeNull();
  });

  it("notes when a session was last seen at most once a minute", async () => {
    const db = await appDatabase();
    const person = await makePerson(db);
    const start = new Date(Date.now() - 10 * 60_000);
    const session = await sessionFor(db, person, "oidc", start);
    await callerForSession(db, session, { now: new Date(start.getTime() + 1000) });
    expect((await recordOf(db, session.sessionId)).lastSeenAt).toEqual(start);
    const later = new Date(start.getTime() + SESSION_TOUCH_MS + 1);
    await callerForSession(db, session, { now: later });
    expect((await recordOf(db, session.sessionId)).lastSeenAt).toEqual(later);
  });

  it("the sweep deletes records that ended long ago and keeps the rest", async () => {
    const db = await appDatabase();
    const person = await makePerson(db);
    const ancient = await sessionFor(db, person, "oidc", new Date(Date.now() - 40 * 86_400_000));
    const recent = await sessionFor(db, person, "oidc", new Date(Date.now() - 2 * 86_400_000));
    await sweepSessions(db);
    expect(await recordOf(db, ancient.sessionId)).toBeUndefined();
    expect(await recordOf(db, recent.sessionId)).toBeDefined();
  });

  it("next-auth sends the browser only to paths on the app after sign-in", async () => {
    const db = await appDatabase();
    await personaPerson(db, "owner");
    for (const callbackUrl of ["/\\evil.example", "/\t/evil.example", "//evil.example", "https://evil.example/", "/\r\nLocation: x", "javascript:alert(1)"]) {
      const res = await authBrowser().signInAs("owner", callbackUrl);
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe(`${APP_URL}/`);
    }
    expect((await authBrowser().signInAs("owner", "/identities?kind=human")).headers.get("location")).toBe(`${APP_URL}/identities?kind=human`);
  });
});
