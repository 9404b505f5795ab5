import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, identities, roleAssignments } from "@/db/schema";
import { inventorySummary } from "@/lib/dashboard/summary";
import { makeCaller, makePerson, testDb, uniq } from "@/lib/testing/harness";
import { resolveCaller } from "@/lib/caller";
import { identityForOidcProfile, oidcSettings, rolesFromClaim } from "./oidc";
import { setRoles } from "./roles";

describe("role assignments", () => {
  it("lets an admin replace a person's roles, audited", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const person = await makePerson(db, { roles: ["requester"] });
    expect(await setRoles(db, admin, person.id, { roles: ["reviewer", "approver", "reviewer"] })).toEqual(["approver", "reviewer"]);
    const caller = await resolveCaller(db, person.id);
    expect([...caller!.roles].sort()).toEqual(["approver", "reviewer"]);
    const [audit] = await db.select().from(auditLog).where(eq(auditLog.entityId, person.id));
    expect(audit).toMatchObject({
      action: "roles.changed",
      actorId: admin.identityId,
      before: { roles: ["requester"] },
      after: { roles: ["approver", "reviewer"] },
    });
  });

  it("refuses every other role, self-lockout, unknown roles and inactive people", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const person = await makePerson(db);
    for (const role of ["auditor", "reviewer", "approver", "owner", "requester"] as const) {
      const other = await makeCaller(db, [role]);
      await expect(setRoles(db, other, person.id, { roles: ["admin"] })).rejects.toMatchObject({ status: 403 });
    }
    await expect(setRoles(db, admin, admin.identityId, { roles: ["auditor"] })).rejects.toMatchObject({ status: 409 });
    await expect(setRoles(db, admin, person.id, { roles: ["superuser"] })).rejects.toMatchObject({
      status: 422,
      fieldErrors: { "roles.0": [expect.stringContaining("Roles are")] },
    });
    const leaver = await makePerson(db, { status: "offboarded" });
    await expect(setRoles(db, admin, leaver.id, { roles: ["reviewer"] })).rejects.toMatchObject({ status: 409 });
    await expect(setRoles(db, admin, "nope", { roles: [] })).rejects.toMatchObject({ status: 404 });
    expect(await db.select().from(roleAssignments).where(eq(roleAssignments.identityId, person.id))).toHaveLength(0);
  });

  it("does not resolve a caller who is no longer active", async () => {
    const db = await testDb();
    const leaver = await makePerson(db, { roles: ["admin"], status: "offboarded" });
    expect(await resolveCaller(db, leaver.id)).toBeNull();
  });

  it("keeps the dashboard summary to inventory readers", async () => {
    const db = await testDb();
    await expect(inventorySummary(db, await makeCaller(db, ["requester", "owner"]))).rejects.toMatchObject({ status: 403 });
    const summary = await inventorySummary(db, await makeCaller(db, ["auditor"]));
    expect(summary.orphans).toBeGreaterThanOrEqual(0);
  });
});

describe("OpenID Connect sign-in", () => {
  it("reads settings only when issuer, client id and secret are all set", () => {
    expect(oidcSettings({ OIDC_ISSUER: "https://idp.example" })).toBeNull();
    expect(oidcSettings({ OIDC_ISSUER: "https://idp.example", OIDC_CLIENT_ID: "a", OIDC_CLIENT_SECRET: "b" })).toMatchObject({
      rolesClaim: "roles",
      name: "Single sign-on",
    });
  });

  it("takes only known roles from the claim", () => {
    expect(rolesFromClaim({ roles: ["auditor", "root", 7] }, "roles")).toEqual(["auditor"]);
    expect(rolesFromClaim({ groups: "admin reviewer" }, "groups")).toEqual(["admin", "reviewer"]);
    expect(rolesFromClaim({}, "roles")).toEqual([]);
  });

  it("maps a profile to the person with that email, creating them once, audited", async () => {
    const db = await testDb();
    const email = `${uniq("oidc")}@Example.test`;
    const first = await identityForOidcProfile(db, "https://idp.example", { email, name: "Olu Idowu", email_verified: true });
    const again = await identityForOidcProfile(db, "https://idp.example", { email: email.toLowerCase() });
    expect(first).toBe(again);
    const [person] = await db.select().from(identities).where(eq(identities.id, first!));
    expect(person).toMatchObject({ kind: "human", displayName: "Olu Idowu", email: email.toLowerCase() });
    expect(await db.select().from(auditLog).where(eq(auditLog.entityId, first!))).toHaveLength(1);
    const withClaim = await resolveCaller(db, first!, ["auditor"]);
    expect([...withClaim!.roles]).toEqual(["auditor"]);
  });

  it("refuses unverified emails, missing emails and people who left", async () => {
    const db = await testDb();
    const leaver = await makePerson(db, { status: "offboarded" });
    expect(await identityForOidcProfile(db, "i", { email: leaver.email })).toBeNull();
    expect(await identityForOidcProfile(db, "i", { email: `${uniq("x")}@test.example`, email_verified: false })).toBeNull();
    expect(await identityForOidcProfile(db, "i", { name: "No Email" })).toBeNull();
  });
});
