import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { findings } from "@/db/schema";
import { queryRows } from "@/db/rows";
import { makeNhi, makePerson, testDb } from "@/lib/testing/harness";
import { findingKey, findingKeySql, raiseFindings, resolveFindings, type FindingInput } from "./raise";

describe("findings", () => {
  it("keeps one row per kind and subject, reopens a resolved one seen again, and leaves accepted ones alone", async () => {
    const db = await testDb();
    const nhi = await makeNhi(db);
    const f: FindingInput = {
      kind: "stale_credential",
      severity: "medium",
      identityId: nhi.id,
      source: "credentials",
      title: "Key older than 90 days",
      discriminator: "cred-1",
    };
    await db.transaction((tx) => raiseFindings(tx, [f]));
    await db.transaction((tx) => raiseFindings(tx, [{ ...f, severity: "high", title: "Key older than 400 days" }]));
    let rows = await db.select().from(findings).where(eq(findings.identityId, nhi.id));
    expect(rows).toMatchObject([{ status: "open", severity: "high", title: "Key older than 400 days", key: findingKey(f) }]);

    expect(await db.transaction((tx) => resolveFindings(tx, [findingKey(f)], "rotated"))).toBe(1);
    await db.transaction((tx) => raiseFindings(tx, [f]));
    rows = await db.select().from(findings).where(eq(findings.identityId, nhi.id));
    expect(rows).toMatchObject([{ status: "open", resolvedAt: null }]);

    await db.update(findings).set({ status: "accepted", resolution: "risk accepted by CISO" }).where(eq(findings.identityId, nhi.id));
    await db.transaction((tx) => raiseFindings(tx, [f]));
    rows = await db.select().from(findings).where(eq(findings.identityId, nhi.id));
    expect(rows).toMatchObject([{ status: "accepted", resolution: "risk accepted by CISO" }]);
  });

  it("clears who resolved a finding when it reopens, writes nothing when nothing changed, and takes the last of repeated keys", async () => {
    const db = await testDb();
    const nhi = await makeNhi(db);
    const admin = await makePerson(db);
    const f: FindingInput = {
      kind: "stale_credential",
      severity: "medium",
      identityId: nhi.id,
      source: "credentials",
      title: "Key older than 90 days",
      discriminator: "cred-2",
    };
    await db.transaction((tx) => raiseFindings(tx, [f, { ...f, title: "Key older than 120 days" }]));
    let [row] = await db.select().from(findings).where(eq(findings.identityId, nhi.id));
    expect(row.title).toBe("Key older than 120 days");

    await db.transaction((tx) => resolveFindings(tx, [findingKey(f)], "rotated", admin.id));
    [row] = await db.select().from(findings).where(eq(findings.identityId, nhi.id));
    expect(row).toMatchObject({ status: "resolved", resolvedById: admin.id });
    await db.transaction((tx) => raiseFindings(tx, [f]));
    [row] = await db.select().from(findings).where(eq(findings.identityId, nhi.id));
    expect(row).toMatchObject({ status: "open", resolvedAt: null, resolvedById: null, resolution: null });

    const before = row.updatedAt;
    await db.transaction((tx) => raiseFindings(tx, [f]));
    [row] = await db.select().from(findings).where(eq(findings.identityId, nhi.id));
    expect(row.updatedAt).toEqual(before);
  });

  it("does not send back what is on record as raised, keeps what others added to its details, and writes a changed one", async () => {
    const db = await testDb();
    const nhi = await makeNhi(db);
    const f: FindingInput = {
      kind: "stale_credential",
      severity: "medium",
      identityId: nhi.id,
      source: "credentials",
      title: "Key older than 90 days",
      details: { days: 91 },
      discriminator: "cred-3",
    };
    await db.transaction((tx) => raiseFindings(tx, [f]));
    // A review was opened from the finding: its details say so.
    await db
      .update(findings)
      .set({ details: { days: 91, reviewCampaignId: "c-1" } })
      .where(eq(findings.identityId, nhi.id));
    let [row] = await db.select().from(findings).where(eq(findings.identityId, nhi.id));
    const before = row.updatedAt;
    await db.transaction((tx) => raiseFindings(tx, [f]));
    [row] = await db.select().from(findings).where(eq(findings.identityId, nhi.id));
    expect(row).toMatchObject({ updatedAt: before, details: { days: 91, reviewCampaignId: "c-1" } });
    // Seen differently: written.
    await db.transaction((tx) => raiseFindings(tx, [{ ...f, details: { days: 92 } }]));
    [row] = await db.select().from(findings).where(eq(findings.identityId, nhi.id));
    expect(row.details).toEqual({ days: 92 });
    // Last seen more than a day ago: written again to say it is still seen.
    await db
      .update(findings)
      .set({ lastSeenAt: new Date(Date.now() - 2 * 86_400_000) })
      .where(eq(findings.identityId, nhi.id));
    await db.transaction((tx) => raiseFindings(tx, [{ ...f, details: { days: 92 } }]));
    [row] = await db.select().from(findings).where(eq(findings.identityId, nhi.id));
    expect(Date.now() - row.lastSeenAt.getTime()).toBeLessThan(60_000);
  });

  it("computes the same key in SQL as in TypeScript", async () => {
    const db = await testDb();
    const nhi = await makeNhi(db);
    const cases: [FindingInput["kind"], string | null, string | null, string | null][] = [
      ["approved_unused", "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002", null],
      ["orphaned_nhi", null, null, null],
      ["stale_credential", null, null, "cred-9"],
    ];
    for (const [kind, entitlementId, grantId, discriminator] of cases) {
      const lit = (v: string | null) => (v === null ? null : sql`${v}`);
      const [{ key }] = await queryRows<{ key: string }>(
        db,
        sql`select ${findingKeySql(kind, sql`${nhi.id}`, lit(entitlementId), lit(grantId), lit(discriminator))} as key`,
      );
      expect(key).toBe(findingKey({ kind, identityId: nhi.id, entitlementId, grantId, discriminator: discriminator ?? undefined }));
    }
  });
});
