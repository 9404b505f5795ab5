import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { queryRows } from "@/db/rows";
import { auditLog, credentialPolicies, credentials } from "@/db/schema";
import { isolatedDatabase } from "@/db/testing";
import { ForbiddenError, ValidationError } from "@/lib/errors";
import { installJobs } from "@/lib/runtime/job-runner";
import { authenticateToken, issueToken } from "@/lib/auth/tokens";
import { makeCaller, makeNhi, makeSystem } from "@/lib/testing/harness";
import { listCredentialPolicies, reportRotation, updateCredentialPolicies } from "./rotation";

// The policies are one table for the whole database: a database of its own, so
// other test files' findings never see these changes.
describe("credential rotation policies", () => {
  let database: Database;
  beforeAll(async () => {
    database = await isolatedDatabase();
    await installJobs(database);
  }, 60_000);
  afterAll(async () => database?.close());

  it("admins change a type's age and expiry rule: audited, and a reconciliation pass is queued so findings follow", async () => {
    const db = database.db;
    const admin = await makeCaller(db, ["admin"]);
    const shipped = await listCredentialPolicies(db, admin);
    expect(shipped.find((p) => p.type === "access_key")).toMatchObject({ maxAgeDays: 90, requireExpiry: false });

    const after = await updateCredentialPolicies(db, admin, { policies: [{ type: "access_key", maxAgeDays: 30, requireExpiry: true }] });
    expect(after.find((p) => p.type === "access_key")).toMatchObject({ maxAgeDays: 30, requireExpiry: true });
    expect(after.find((p) => p.type === "ssh_key")).toMatchObject({ maxAgeDays: 365 });

    const audit = await db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.action} = 'credential_policy.updated'`);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entityId: "access_key", actorId: admin.identityId });
    const jobs = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from pgboss.job where name = 'reconciliation.run'`);
    expect(jobs[0].n).toBeGreaterThanOrEqual(1);
  });

  it("refuses bad policies with a message each and changes nothing; only admins change them, auditors read them", async () => {
    const db = database.db;
    const admin = await makeCaller(db, ["admin"]);
    const before = await db.select().from(credentialPolicies);
    const refused = async (input: unknown) => {
      const err = await updateCredentialPolicies(db, admin, input).catch((e: unknown) => e);
      expect(err, JSON.stringify(input)).toBeInstanceOf(ValidationError);
      return JSON.stringify((err as ValidationError).fieldErrors);
    };
    expect(await refused({ policies: [] })).toContain("Send at least one policy.");
    expect(await refused({ policies: [{ type: "access_key", maxAgeDays: 0 }] })).toContain("At least 1 day.");
    expect(await refused({ policies: [{ type: "access_key", maxAgeDays: 4000 }] })).toContain("At most 3,650 days.");
    expect(await refused({ policies: [{ type: "pgp_key", maxAgeDays: 30 }] })).toContain("Types are:");
    expect(
      await refused({
        policies: [
          { type: "api_token", maxAgeDays: 30 },
          { type: "api_token", maxAgeDays: 60 },
        ],
      }),
    ).toContain("Name each credential type once.");
    expect(await db.select().from(credentialPolicies)).toEqual(before);

    const auditor = await makeCaller(db, ["auditor"]);
    expect((await listCredentialPolicies(db, auditor)).length).toBe(before.length);
    await expect(updateCredentialPolicies(db, auditor, { policies: [{ type: "access_key", maxAgeDays: 10 }] })).rejects.toBeInstanceOf(ForbiddenError);
    const requester = await makeCaller(db, ["requester"]);
    await expect(listCredentialPolicies(db, requester)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("takes rotation reports only from tokens with the credentials:write scope", async () => {
    const db = database.db;
    const admin = await makeCaller(db, ["admin"]);
    const nhi = await makeNhi(db, { systemId: (await makeSystem(db)).id });
    const [key] = await db
      .insert(credentials)
      .values({ identityId: nhi.id, type: "access_key", label: "AKIA…R001", issuedAt: new Date(Date.now() - 200 * 86_400_000) })
      .returning();
    const tokenWith = async (scopes: string[]) => (await authenticateToken(db, (await issueToken(db, admin, { name: `source ${scopes[0]}`, scopes })).token))!;

    await expect(reportRotation(db, await tokenWith(["usage:write"]), { credentialId: key.id })).rejects.toBeInstanceOf(ForbiddenError);
    const [untouched] = await db.select().from(credentials).where(eq(credentials.id, key.id));
    expect(untouched.lastRotatedAt).toBeNull();

    await reportRotation(db, await tokenWith(["credentials:write"]), { credentialId: key.id });
    const [rotated] = await db.select().from(credentials).where(eq(credentials.id, key.id));
    expect(rotated.lastRotatedAt).not.toBeNull();
  });
});
