import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, usageActionDaily, usageEvents } from "@/db/schema";
import { queryRows } from "@/db/rows";
import { makeNhi, testDb } from "@/lib/testing/harness";
import { importUsage } from "./import";
import { recordUsage } from "./record";
import { applyUsageRetention, coverUsageMonths, storableWindow, unstorableReason, usageRetentionDays } from "./retention";
import type { UsageSource } from "./source";
import { auditedTransaction } from "@/lib/audit/record";

const DAY = 86_400_000;
const partitionsOf = async (db: Awaited<ReturnType<typeof testDb>>) =>
  (
    await queryRows<{ name: string }>(
      db,
      sql`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'usage_events'::regclass order by 1`,
    )
  ).map((r) => r.name);

describe("usage retention", () => {
  it("reads USAGE_RETENTION_DAYS strictly: 400 by default, whole days from 31 up", () => {
    expect(usageRetentionDays(undefined)).toBe(400);
    expect(usageRetentionDays("")).toBe(400);
    expect(usageRetentionDays("90")).toBe(90);
    for (const bad of ["0", "30", "-5", "12.5", "ten", "1e9", "36501"])
      expect(() => usageRetentionDays(bad)).toThrow(`USAGE_RETENTION_DAYS must be a whole number of days from 31 to 36500, not "${bad}".`);
  });

  it("a time is storable from the retention cutoff to five minutes ahead", () => {
    const now = new Date("2026-12-03T12:00:00Z");
    const window = storableWindow(now, 400);
    expect(window.from.toISOString()).toBe("2025-10-29T12:00:00.000Z");
    expect(unstorableReason(new Date("2025-10-29T11:59:59Z"), window)).toBe("older-than-retention");
    expect(unstorableReason(new Date("2025-10-29T12:00:00Z"), window)).toBeNull();
    expect(unstorableReason(new Date("2026-12-03T12:05:00Z"), window)).toBeNull();
    expect(unstorableReason(new Date("2026-12-03T12:05:01Z"), window)).toBe("in-the-future");
    expect(unstorableReason(new Date(Number.NaN), window)).toBe("older-than-retention");
  });

  it("events land in their UTC month's partition, created on first use by any number of writers at once", async () => {
    const db = await testDb();
    const nhi = await makeNhi(db);
    // 23:30 on the last day of a month in UTC is the next month in zones east of it: the partition is the UTC one.
    const at = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 0, 23, 30));
    await Promise.all(Array.from({ length: 6 }, () => coverUsageMonths(db, at, at)));
    // A year no other test touches, covered by six writers at once (on PostgreSQL, six connections).
    await Promise.all(Array.from({ length: 6 }, () => coverUsageMonths(db, new Date("2018-01-15T00:00:00Z"), new Date("2018-12-15T00:00:00Z"))));
    expect((await partitionsOf(db)).filter((p) => p.startsWith("usage_events_2018_"))).toHaveLength(12);
    const source = `test-${randomUUID()}`;
    await auditedTransaction(db, (tx) =>
      recordUsage(tx, [
        { eventId: "e1", source, identityId: nhi.id, entitlementId: null, systemId: null, action: "db:Read", outcome: "success", occurredAt: at },
      ]),
    );
    const month = `usage_events_${at.toISOString().slice(0, 7).replace("-", "_")}`;
    const [row] = await queryRows<{ part: string }>(db, sql`select tableoid::regclass::text as part from usage_events where source = ${source}`);
    expect(row.part).toBe(month);
  });

  it.skipIf(!process.env.DATABASE_URL?.startsWith("postgres"))(
    "a new month's partition is attached without waiting on a writer's open transaction",
    async () => {
      const db = await testDb();
      const nhi = await makeNhi(db);
      await coverUsageMonths(db, new Date(), new Date());
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let inserted!: () => void;
      const insertedOnce = new Promise<void>((r) => (inserted = r));
      // A writer's transaction that has stored an event and stays open.
      const writer = db.transaction(async (tx) => {
        await tx
          .insert(usageEvents)
          .values({ eventId: randomUUID(), source: "lock-test", identityId: nhi.id, action: "a", outcome: "success", occurredAt: new Date() });
        inserted();
        await held;
      });
      await insertedOnce;
      try {
        await db.transaction(async (tx) => {
          await tx.execute(sql`set local lock_timeout = '3s'`);
          await coverUsageMonths(tx, new Date("2017-03-15T00:00:00Z"), new Date("2017-03-15T00:00:00Z"));
        });
      } finally {
        release();
        await writer;
      }
      expect((await partitionsOf(db)).includes("usage_events_2017_03")).toBe(true);
    },
  );

  it("refuses events it could not keep (outside the retention, text PostgreSQL refuses): the pipeline skips and counts them, a direct write is a 422", async () => {
    const db = await testDb();
    const nhi = await makeNhi(db);
    const old = new Date(Date.now() - 401 * DAY);
    const ahead = new Date(Date.now() + 3_600_000);
    const tag = `memory-${randomUUID()}`;
    const source: UsageSource<{ id: string; at: Date; action?: string }> = {
      tag,
      async *read() {
        yield {
          file: "a.log",
          records: [
            { id: "old", at: old },
            { id: "ahead", at: ahead },
            { id: "now", at: new Date() },
            // Text PostgreSQL cannot keep as sent: skipped and counted, never a failed or hung batch.
            { id: "nul", at: new Date(), action: "db:Re\u0000ad" },
            { id: "half", at: new Date(), action: "db:\ud800" },
            // An id longer than an index entry may be: skipped and counted, never a failed batch.
            { id: "x".repeat(5000), at: new Date() },
          ],
        };
      },
      classify: (r) => ({
        eventId: r.id,
        principal: { key: "me", label: "me" },
        action: r.action ?? "db:Read",
        outcome: "success",
        occurredAt: r.at,
        sessionId: null,
      }),
      principals: async () => ({ identities: new Map([["me", { identityId: nhi.id, systemId: nhi.systemId! }]]), systems: new Map() }),
    };
    const summary = await importUsage(db, source, ["a.log"]);
    expect(summary.usage.inserted).toBe(1);
    expect(summary.skipped).toEqual({ "older-than-retention": 1, "in-the-future": 1, "unstorable-text": 3 });
    expect(summary.skippedDetails).toEqual([
      { reason: "unstorable-text", detail: "action must be well-formed Unicode (it holds a lone UTF-16 surrogate).", records: 1 },
      { reason: "unstorable-text", detail: "action must not contain the NUL character (U+0000).", records: 1 },
      { reason: "unstorable-text", detail: "eventId must be at most 200 characters.", records: 1 },
    ]);
    await expect(
      auditedTransaction(db, (tx) =>
        recordUsage(tx, [
          { eventId: "x", source: tag, identityId: nhi.id, entitlementId: null, systemId: null, action: "a", outcome: "success", occurredAt: old },
        ]),
      ),
    ).rejects.toMatchObject({ status: 422, fieldErrors: { occurredAt: ["Event x cannot be stored: it is older than the usage retention."] } });
  });

  it("drops whole months older than the retention, audited with their counts, while the roll-ups keep the summary", async () => {
    const db = await testDb();
    const nhi = await makeNhi(db);
    const now = new Date();
    // Stored when the retention was longer: months from 2019, written as an older instance would have.
    const old = [new Date("2019-03-10T08:00:00Z"), new Date("2019-03-20T08:00:00Z"), new Date("2019-04-02T08:00:00Z")];
    await coverUsageMonths(db, old[0], old[2]);
    for (const [i, at] of old.entries()) {
      await db
        .insert(usageEvents)
        .values({ eventId: `old-${i}`, source: "retention-test", identityId: nhi.id, action: "db:Read", outcome: "success", occurredAt: at });
    }
    await db.insert(usageActionDaily).values({ identityId: nhi.id, action: "db:Read", day: "2019-03-10", successCount: 3, firstAt: old[0], lastAt: old[2] });

    const result = await applyUsageRetention(db, now, 400);
    expect(result.dropped.filter((d) => d.partition.startsWith("usage_events_2019_"))).toEqual([
      { partition: "usage_events_2019_03", events: 2 },
      { partition: "usage_events_2019_04", events: 1 },
    ]);
    const parts = await partitionsOf(db);
    expect(parts.some((p) => p.startsWith("usage_events_2019_"))).toBe(false);
    const thisMonth = `usage_events_${now.toISOString().slice(0, 7).replace("-", "_")}`;
    const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    expect(parts).toEqual(expect.arrayContaining([thisMonth, `usage_events_${next.toISOString().slice(0, 7).replace("-", "_")}`]));
    const audit = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "usage.retention"), eq(auditLog.entityId, "usage_events_2019_03")));
    expect(audit.map((a) => a.after)).toEqual([{ events: 2, before: "2019-04-01T00:00:00.000Z", retentionDays: 400 }]);
    const kept = await db
      .select()
      .from(usageActionDaily)
      .where(and(eq(usageActionDaily.identityId, nhi.id), eq(usageActionDaily.day, "2019-03-10")));
    expect(kept.map((k) => k.successCount)).toEqual([3]);

    // Run again: nothing more to drop, nothing to create.
    const again = await applyUsageRetention(db, now, 400);
    expect(again.dropped.filter((d) => d.partition.startsWith("usage_events_2019_"))).toEqual([]);
  });
});
