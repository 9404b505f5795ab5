import { addDays } from "date-fns";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { eligibilityPolicies, grants, jitRequests } from "@/db/schema";
import { makeGrant, makeNhi, makeSystem, testDb, uniq } from "@/lib/testing/harness";
import { recordUsage } from "@/lib/usage/record";
import { isolatedDatabase } from "@/db/testing";
import { riskSnapshots } from "@/db/schema";
import { historicalFigures, historicalFiguresForDays, writeSnapshots } from "./snapshot";

const DAY = 86_400_000;

describe("daily snapshots", () => {
  it("back-fills many days in one pass with exactly the figures of each day computed on its own", async () => {
    const db = await testDb();
    const system = await makeSystem(db);
    const nhi = await makeNhi(db, { systemId: system.id });
    // Day boundaries (the instants past days are taken at) in UTC.
    const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
    const boundary = (daysAgo: number) => new Date(today - daysAgo * DAY);
    const at = (daysAgo: number, hours = 0) => new Date(today - daysAgo * DAY + hours * 3_600_000);
    const set = async (id: string, values: Partial<typeof grants.$inferInsert>) => db.update(grants).set(values).where(eq(grants.id, id));
    const use = async (entitlementId: string, when: Date) =>
      db.transaction((tx) =>
        recordUsage(tx, [
          {
            eventId: uniq("e"),
            source: "test",
            identityId: nhi.id,
            entitlementId,
            systemId: system.id,
            action: "test:Use",
            outcome: "success",
            occurredAt: when,
          },
        ]),
      );

    // Windows starting, ending and lapsing on day boundaries and inside days; JIT windows; unapproved grants.
    const cases: Partial<typeof grants.$inferInsert>[] = [
      { startsAt: at(60), provenance: "campaign_decision", approvalExpiresAt: at(20) },
      { startsAt: boundary(30), provenance: "attestation", approvalExpiresAt: boundary(10) },
      { startsAt: at(45, 5), revokedAt: boundary(12), provenance: "imported" },
      { startsAt: at(45, 5), revokedAt: at(12, 7), provenance: "none" },
      { startsAt: at(25, 3), expiresAt: at(25, 9), type: "jit", provenance: "jit_approval" },
      { startsAt: boundary(8), expiresAt: boundary(7), type: "jit", provenance: "jit_approval" },
      { startsAt: at(5), revokedAt: at(6), provenance: "manual" }, // revoked before it started
      { startsAt: at(70), provenance: "policy", type: "eligible" },
      { startsAt: at(3, 12), provenance: "none" },
    ];
    for (const [i, values] of cases.entries()) {
      const { grant, entitlement } = await makeGrant(db, nhi.id, {
        level: i % 3 === 0 ? "admin" : i % 3 === 1 ? "privileged" : "standard",
        systemId: system.id,
      });
      await set(grant.id, values);
      // Uses 29 and 30 days apart, inside and outside windows.
      for (const d of [58, 40, 29, 15, 14, 1]) if ((i + d) % 2 === 0) await use(entitlement.id, at(d, 10));
      if (i === 4) {
        const [policy] = await db
          .insert(eligibilityPolicies)
          .values({ name: uniq("policy"), entitlementId: entitlement.id, maxDurationMinutes: 480, defaultDurationMinutes: 60 })
          .returning();
        await db.insert(jitRequests).values([
          {
            requesterId: nhi.id,
            identityId: nhi.id,
            entitlementId: entitlement.id,
            policyId: policy.id,
            status: "expired",
            durationMinutes: 360,
            approvalsRequired: 1,
            approverIds: [],
            denyEndsRequest: true,
            pendingUntil: at(25, 4),
            grantId: grant.id,
            createdAt: at(25, 2),
          },
          {
            requesterId: nhi.id,
            identityId: nhi.id,
            entitlementId: entitlement.id,
            policyId: policy.id,
            status: "denied",
            durationMinutes: 60,
            breakGlass: true,
            approvalsRequired: 1,
            approverIds: [],
            denyEndsRequest: true,
            pendingUntil: at(25, 5),
            createdAt: at(25, 4),
          },
        ]);
      }
    }

    const days = Array.from({ length: 75 }, (_, i) => new Date(today - (75 - i) * DAY).toISOString().slice(0, 10));
    const ends = days.map((d) => addDays(new Date(`${d}T00:00:00Z`), 1));
    // One consistent view of a database other test files write to meanwhile.
    await db.transaction(
      async (tx) => {
        const together = await historicalFiguresForDays(tx, days, ends);
        for (const [i, day] of days.entries()) expect({ day, ...together.get(day) }).toEqual({ day, ...(await historicalFigures(tx, day, ends[i])) });
      },
      { isolationLevel: "repeatable read" },
    );
  });

  it("leaves 'used' out of days whose 30-day lookback reaches before the first recorded usage", async () => {
    const database = await isolatedDatabase();
    try {
      const db = database.db;
      const system = await makeSystem(db);
      const nhi = await makeNhi(db, { systemId: system.id });
      const { grant, entitlement } = await makeGrant(db, nhi.id, { level: "admin", systemId: system.id });
      const now = new Date();
      await db
        .update(grants)
        .set({ startsAt: new Date(now.getTime() - 80 * DAY), provenance: "manual" })
        .where(eq(grants.id, grant.id));
      // Usage on record from 40 days ago: days from 11 days ago onwards have 30 days of it behind them.
      await db.transaction((tx) =>
        recordUsage(tx, [
          {
            eventId: uniq("e"),
            source: "test",
            identityId: nhi.id,
            entitlementId: entitlement.id,
            systemId: system.id,
            action: "test:Use",
            outcome: "success",
            occurredAt: new Date(now.getTime() - 40 * DAY),
          },
        ]),
      );
      await writeSnapshots(db, now);
      const rows = await db.select().from(riskSnapshots).orderBy(riskSnapshots.day);
      const first = new Date(now.getTime() - 40 * DAY).toISOString().slice(0, 10);
      const knowable = new Date(Date.parse(`${first}T00:00:00Z`) + 29 * DAY).toISOString().slice(0, 10);
      expect(rows).toHaveLength(91);
      for (const r of rows) {
        if (r.day < knowable) expect(r.figures, r.day).not.toHaveProperty("privilegedUsed");
        else expect(r.figures.privilegedUsed, r.day).toBe(r.day < new Date(Date.parse(`${first}T00:00:00Z`) + 30 * DAY).toISOString().slice(0, 10) ? 1 : 0);
      }
    } finally {
      await database.close();
    }
  });
});
