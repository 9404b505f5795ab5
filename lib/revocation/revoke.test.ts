import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accessEvents, auditLog, grants, remediations } from "@/db/schema";
import { getIdentityDetail } from "@/lib/identities/detail";
import { makeCaller, makeGrant, makeNhi, testDb } from "@/lib/testing/harness";
import { revokeGrants } from "./revoke";

describe("the revocation path", () => {
  it("ends the grant, opens a remediation, emits one event and audits it, exactly once", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const nhi = await makeNhi(db, { ownerId: admin.identityId });
    const { grant } = await makeGrant(db, nhi.id, { level: "admin" });
    const actor = { id: admin.identityId, label: "admin" };
    const first = await db.transaction((tx) => revokeGrants(tx, actor, [grant.id, grant.id], { source: "admin", reason: "Unused for 120 days" }));
    const again = await db.transaction((tx) => revokeGrants(tx, actor, [grant.id], { source: "admin", reason: "retry" }));
    expect(first).toHaveLength(1);
    expect(again).toHaveLength(0);

    const [row] = await db.select().from(grants).where(eq(grants.id, grant.id));
    expect(row).toMatchObject({ revokedById: admin.identityId, revokeReason: "Unused for 120 days" });
    expect(await db.select().from(remediations).where(eq(remediations.grantId, grant.id))).toMatchObject([{ status: "pending", source: "admin" }]);
    expect(await db.select().from(accessEvents).where(eq(accessEvents.grantId, grant.id))).toMatchObject([{ type: "grant.revoked" }]);
    expect(
      await db
        .select()
        .from(auditLog)
        .where(inArray(auditLog.entityId, [grant.id])),
    ).toMatchObject([{ action: "grant.revoked" }]);
    const detail = await getIdentityDetail(db, admin, nhi.id);
    expect(detail.grants.find((g) => g.grant.id === grant.id)?.active).toBe(false);
  });

  it("leaves nothing behind when the surrounding change fails", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const nhi = await makeNhi(db, { ownerId: admin.identityId });
    const { grant } = await makeGrant(db, nhi.id);
    await expect(
      db.transaction(async (tx) => {
        await revokeGrants(tx, { id: admin.identityId, label: "admin" }, [grant.id], { source: "admin", reason: "x" });
        throw new Error("decision failed");
      }),
    ).rejects.toThrow("decision failed");
    const [row] = await db.select().from(grants).where(eq(grants.id, grant.id));
    expect(row.revokedAt).toBeNull();
    expect(await db.select().from(remediations).where(eq(remediations.grantId, grant.id))).toHaveLength(0);
  });
});
