import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { entitlements, systems, type PermissionStatement } from "@/db/schema";
import { makeGrant, makeNhi, testDb, uniq } from "@/lib/testing/harness";
import { literalPermissionModel, permissionModelOf } from "./model";
import { permissionSetOf } from "./sets";

const allow = (...actions: string[]): PermissionStatement[] => [{ effect: "Allow", actions, conditional: false, allResources: true }];

describe("permission models by kind of system", () => {
  it("reads AWS entitlements with IAM's wildcards and sensitivity, and a system without a model literally", () => {
    const aws = permissionModelOf("aws_account");
    expect(aws.actionMatches("s3:Get*", "s3:GetObject")).toBe(true);
    expect(aws.isSensitive("iam:PassRole")).toBe(true);
    expect(permissionModelOf("vault")).toBe(literalPermissionModel);
    expect(literalPermissionModel.actionMatches("s3:Get*", "s3:GetObject")).toBe(false);
    expect(literalPermissionModel.actionMatches("SELECT", "SELECT")).toBe(true);
    expect(literalPermissionModel.actionMatches("*", "DELETE")).toBe(true);
    expect(literalPermissionModel.isSensitive("iam:PassRole")).toBe(false);
  });

  it("approves an identity's action by the model of each entitlement's own system", async () => {
    const db = await testDb();
    const nhi = await makeNhi(db);
    const { entitlement: onAws } = await makeGrant(db, nhi.id);
    const [database] = await db
      .insert(systems)
      .values({ name: uniq("db"), kind: "database" })
      .returning();
    const { entitlement: onDatabase } = await makeGrant(db, nhi.id, { systemId: database.id });
    await db
      .update(entitlements)
      .set({ permissions: allow("s3:Get*") })
      .where(eq(entitlements.id, onAws.id));
    await db
      .update(entitlements)
      .set({ permissions: allow("SELECT", "db:Read*") })
      .where(eq(entitlements.id, onDatabase.id));

    const set = await permissionSetOf(db, nhi.id);
    expect(set.approvalFor("s3:GetObject")).toBe(onAws.id);
    expect(set.approvalFor("SELECT")).toBe(onDatabase.id);
    // On the database, "db:Read*" is a name, not a pattern.
    expect(set.approvalFor("db:ReadRows")).toBeNull();
    expect(set.approvalFor("db:Read*")).toBe(onDatabase.id);
  });

  it("attributes a use to the least privileged entitlement that approves it, so an admin entitlement only ever read through shows unused", async () => {
    const db = await testDb();
    const nhi = await makeNhi(db);
    const system = (
      await db
        .insert(systems)
        .values({ name: uniq("aws"), kind: "aws_account" })
        .returning()
    )[0];
    const { entitlement: admin } = await makeGrant(db, nhi.id, { systemId: system.id, level: "admin" });
    const { entitlement: reader } = await makeGrant(db, nhi.id, { systemId: system.id, level: "standard" });
    // The admin entitlement's name sorts first: the level decides, not the name.
    await db
      .update(entitlements)
      .set({ name: `a-${admin.name}`, permissions: allow("*") })
      .where(eq(entitlements.id, admin.id));
    await db
      .update(entitlements)
      .set({ name: `z-${reader.name}`, permissions: allow("s3:Get*") })
      .where(eq(entitlements.id, reader.id));
    const set = await permissionSetOf(db, nhi.id);
    expect(set.approvalFor("s3:GetObject")).toBe(reader.id);
    expect(set.approvalFor("s3:PutObject")).toBe(admin.id);
  });

  it("judges a use in a system by that system's entitlements only: a wildcard held elsewhere approves nothing there", async () => {
    const db = await testDb();
    const nhi = await makeNhi(db);
    const [github] = await db
      .insert(systems)
      .values({ name: uniq("gh"), kind: "github" })
      .returning();
    const [cluster] = await db
      .insert(systems)
      .values({ name: uniq("k8s"), kind: "kubernetes" })
      .returning();
    const { entitlement: owner } = await makeGrant(db, nhi.id, { systemId: github.id, level: "standard" });
    const { entitlement: reader } = await makeGrant(db, nhi.id, { systemId: cluster.id, level: "privileged" });
    await db
      .update(entitlements)
      .set({ permissions: allow("*") })
      .where(eq(entitlements.id, owner.id));
    await db
      .update(entitlements)
      .set({ permissions: allow("payments:get:/pods") })
      .where(eq(entitlements.id, reader.id));
    const set = await permissionSetOf(db, nhi.id);
    expect(set.approvalFor("payments:get:/pods", cluster.id)).toBe(reader.id);
    expect(set.approvalFor("payments:delete:/pods", cluster.id)).toBeNull();
    expect(set.approvalFor("payments:delete:/pods", github.id)).toBe(owner.id);
    // Without a system (reconciliation over an identity's whole history) every entitlement counts, least privileged first.
    expect(set.approvalFor("payments:get:/pods")).toBe(owner.id);
  });
});
