import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { entitlements, usageEvents, usageRollups } from "@/db/schema";
import { makeGrant, makeNhi, testDb } from "@/lib/testing/harness";
import { importUsage } from "./import";
import type { SourceFile, UsageSource } from "./source";

type Line = { id: string; who: string; what: string; ok: boolean; at: string };

/**
 * A source that is nothing but the contract: files held in memory, records
 * keyed by identity name. The pipeline must need nothing more from a source.
 */
function memorySource(files: Record<string, Line[] | string>, names: Map<string, { identityId: string; systemId: string }>): UsageSource<Line> {
  return {
    tag: `memory-${randomUUID()}`,
    async *read(paths): AsyncIterable<SourceFile<Line>> {
      for (const p of paths) {
        const f = files[p];
        yield typeof f === "string" ? { file: p, error: f } : { file: p, records: f };
      }
    },
    classify: (l) =>
      l.who === "system:daemon"
        ? { skip: "internal caller" }
        : {
            eventId: l.id,
            principal: { key: l.who, label: `user ${l.who}` },
            action: l.what,
            outcome: l.ok ? "success" : "denied",
            occurredAt: new Date(l.at),
            sessionId: null,
          },
    principals: () => Promise.resolve({ identities: names, systems: new Map() }),
  };
}

describe("importing a usage source through the shared pipeline", () => {
  it("attributes each use to the entitlement approving it, reports what it skipped and who it does not know, and changes nothing the second time", async () => {
    const db = await testDb();
    const nhi = await makeNhi(db);
    const { entitlement, system } = await makeGrant(db, nhi.id);
    await db
      .update(entitlements)
      .set({ permissions: [{ effect: "Allow", actions: ["db:Read*"], conditional: false, allResources: true }] })
      .where(eq(entitlements.id, entitlement.id));
    const names = new Map([[nhi.name, { identityId: nhi.id, systemId: system.id }]]);
    const source = memorySource(
      {
        "a.log": [
          { id: "1", who: nhi.name, what: "db:ReadRows", ok: true, at: "2026-11-01T10:00:00Z" },
          { id: "2", who: nhi.name, what: "db:DropTable", ok: false, at: "2026-11-01T11:00:00Z" },
          { id: "3", who: "stranger", what: "db:ReadRows", ok: true, at: "2026-11-01T12:00:00Z" },
          { id: "4", who: "system:daemon", what: "db:Vacuum", ok: true, at: "2026-11-01T13:00:00Z" },
        ],
        "b.log": "not a log file",
      },
      names,
    );

    const first = await importUsage(db, source, ["a.log", "b.log"]);
    expect(first).toMatchObject({
      files: 2,
      records: 4,
      usage: { inserted: 2, duplicates: 0, denied: 1 },
      skipped: { "unknown-principal": 1, "internal caller": 1 },
      unknownPrincipals: [{ principal: "user stranger", records: 1 }],
      unreadableFiles: [{ file: "b.log", error: "not a log file" }],
    });
    const stored = await db.select().from(usageEvents).where(eq(usageEvents.source, source.tag)).orderBy(usageEvents.eventId);
    expect(stored.map((e) => [e.eventId, e.action, e.outcome, e.entitlementId])).toEqual([
      ["1", "db:ReadRows", "success", entitlement.id],
      ["2", "db:DropTable", "denied", null],
    ]);

    const again = await importUsage(db, source, ["a.log"]);
    expect(again.usage).toEqual({ inserted: 0, duplicates: 2, denied: 0 });
    const [rollup] = await db
      .select()
      .from(usageRollups)
      .where(and(eq(usageRollups.identityId, nhi.id), eq(usageRollups.entitlementId, entitlement.id)));
    expect(rollup.successCount).toBe(1);
  });
});
