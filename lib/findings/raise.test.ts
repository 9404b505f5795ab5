import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { findings } from "@/db/schema";
import { makeNhi, testDb } from "@/lib/testing/harness";
import { findingKey, raiseFindings, resolveFindings, type FindingInput } from "./raise";

describe("findings", () => {
  it("keeps one row per kind and subject, reopens a resolved one seen again, and leaves accepted ones alone", async () => {
    const db = await testDb();
    const nhi = await makeNhi(db);
    const f: FindingInput = { kind: "stale_credential", severity: "medium", identityId: nhi.id, source: "credentials", title: "Key older than 90 days", discriminator: "cred-1" };
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
});
