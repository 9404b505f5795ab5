import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { identities, usageActionDaily, usageDaily, usageEvents, usageRollups } from "@/db/schema";
import { makeGrant, makeNhi, testDb } from "@/lib/testing/harness";
import { recordUsage, type UsageEventInput } from "./record";

describe("recording usage", () => {
  it("stores each event once and folds it into the pair, day (with the hours used), action and identity roll-ups", async () => {
    const db = await testDb();
    const nhi = await makeNhi(db);
    const { entitlement, system } = await makeGrant(db, nhi.id);
    const source = `test-${randomUUID()}`;
    const event = (eventId: string, at: string, outcome: "success" | "denied" = "success"): UsageEventInput => ({
      eventId,
      source,
      identityId: nhi.id,
      entitlementId: entitlement.id,
      systemId: system.id,
      action: "s3:GetObject",
      outcome,
      occurredAt: new Date(at),
    });
    const first = await db.transaction((tx) =>
      recordUsage(tx, [event("a", "2026-11-01T10:00:00Z"), event("b", "2026-11-02T23:30:00Z"), event("b", "2026-11-02T23:30:00Z")]),
    );
    expect(first).toEqual({ inserted: 2, duplicates: 1, denied: 0 });
    const again = await db.transaction((tx) => recordUsage(tx, [event("b", "2026-11-02T23:30:00Z"), event("c", "2026-11-02T01:00:00Z", "denied")]));
    expect(again).toEqual({ inserted: 1, duplicates: 1, denied: 1 });

    expect(await db.select().from(usageEvents).where(eq(usageEvents.source, source))).toHaveLength(3);
    const [rollup] = await db
      .select()
      .from(usageRollups)
      .where(and(eq(usageRollups.identityId, nhi.id), eq(usageRollups.entitlementId, entitlement.id)));
    expect(rollup).toMatchObject({
      successCount: 2,
      deniedCount: 1,
      firstUsedAt: new Date("2026-11-01T10:00:00Z"),
      lastUsedAt: new Date("2026-11-02T23:30:00Z"),
      lastDeniedAt: new Date("2026-11-02T01:00:00Z"),
    });
    const days = await db.select().from(usageDaily).where(eq(usageDaily.identityId, nhi.id)).orderBy(usageDaily.day);
    expect(days.map((d) => [d.day, d.successCount, d.deniedCount, d.hourMask])).toEqual([
      ["2026-11-01", 1, 0, 1 << 10],
      ["2026-11-02", 1, 1, 1 << 23],
    ]);
    const actions = await db.select().from(usageActionDaily).where(eq(usageActionDaily.identityId, nhi.id)).orderBy(usageActionDaily.day);
    expect(actions.map((a) => [a.action, a.day, a.successCount, a.deniedCount, a.lastSuccessAt])).toEqual([
      ["s3:GetObject", "2026-11-01", 1, 0, new Date("2026-11-01T10:00:00Z")],
      ["s3:GetObject", "2026-11-02", 1, 1, new Date("2026-11-02T23:30:00Z")],
    ]);
    const [identity] = await db.select({ lastUsedAt: identities.lastUsedAt }).from(identities).where(eq(identities.id, nhi.id));
    expect(identity.lastUsedAt).toEqual(new Date("2026-11-02T23:30:00Z"));
  });
});
