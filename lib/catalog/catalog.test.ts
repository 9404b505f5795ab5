import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog } from "@/db/schema";
import { makeCaller, makePerson, testDb, uniq } from "@/lib/testing/harness";
import { createEntitlement, createSystem, listCatalog, listSystemEntitlements, updateEntitlement, updateSystem } from "./catalog";

describe("systems and entitlements defined by admins", () => {
  it("creates and edits them under the same validation and audit as everything else", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const auditor = await makeCaller(db, ["auditor"]);
    const owner = await makeCaller(db, ["owner"]);
    const gone = await makePerson(db, { status: "offboarded" });
    const name = uniq("billing-console");

    const system = await createSystem(db, admin, { name, kind: "saas", description: "The vendor's billing console", ownerId: owner.identityId });
    expect(system).toMatchObject({ name, kind: "saas", environment: "production", ownerId: owner.identityId });
    await expect(createSystem(db, admin, { name: name.toUpperCase(), kind: "saas" })).rejects.toMatchObject({ status: 409 });
    for (const bad of [
      { name: "", kind: "saas" },
      { name: "x", kind: "mainframe" },
      { name: "x\u0000y", kind: "saas" },
      { name: "x", kind: "saas", extra: 1 },
    ])
      await expect(createSystem(db, admin, bad)).rejects.toMatchObject({ status: 422 });
    await expect(createSystem(db, admin, { name: uniq("s"), kind: "saas", ownerId: gone.id })).rejects.toMatchObject({
      fieldErrors: { ownerId: ["The owner must be an active person."] },
    });
    await expect(createSystem(db, auditor, { name: uniq("s"), kind: "saas" })).rejects.toMatchObject({ status: 403 });

    const ent = await createEntitlement(db, admin, { systemId: system.id, name: "Refunds approver", privilegeLevel: "privileged", ownerId: owner.identityId });
    await expect(createEntitlement(db, admin, { systemId: system.id, name: "Refunds approver", privilegeLevel: "standard" })).rejects.toMatchObject({
      status: 409,
    });
    await expect(
      createEntitlement(db, admin, { systemId: "00000000-0000-4000-8000-000000000000", name: "x", privilegeLevel: "standard" }),
    ).rejects.toMatchObject({
      fieldErrors: { systemId: ["No such system."] },
    });
    await expect(createEntitlement(db, admin, { systemId: system.id, name: "x", privilegeLevel: "root" })).rejects.toMatchObject({ status: 422 });

    const raised = await updateEntitlement(db, admin, ent.id, { privilegeLevel: "admin", ownerId: null });
    expect(raised).toMatchObject({ privilegeLevel: "admin", ownerId: null });
    await expect(updateEntitlement(db, auditor, ent.id, { privilegeLevel: "standard" })).rejects.toMatchObject({ status: 403 });
    await expect(updateEntitlement(db, admin, "nope", {})).rejects.toMatchObject({ status: 404 });
    await updateSystem(db, admin, system.id, { environment: "staging" });
    await expect(updateSystem(db, admin, system.id, { kind: "github" })).rejects.toMatchObject({ status: 422 });

    const audit = await db.select().from(auditLog).where(eq(auditLog.entityId, ent.id)).orderBy(auditLog.id);
    expect(audit.map((a) => a.action)).toEqual(["entitlement.created", "entitlement.updated"]);
    expect(audit[1]).toMatchObject({ before: { privilegeLevel: "privileged", ownerId: owner.identityId }, after: { privilegeLevel: "admin", ownerId: null } });

    expect((await listCatalog(db, auditor)).find((s) => s.id === system.id)).toMatchObject({ environment: "staging", entitlements: 1, ownerName: owner.name });
    expect((await listSystemEntitlements(db, auditor, system.id)).entitlements).toMatchObject([
      { name: "Refunds approver", privilegeLevel: "admin", liveGrants: 0 },
    ]);
    await expect(listCatalog(db, owner)).rejects.toMatchObject({ status: 403 });
  });
});
