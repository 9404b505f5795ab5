import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { entitlements } from "@/db/schema";
import { auditedTransaction, SYSTEM_ACTOR } from "@/lib/audit/record";
import { makeEntitlement, makeSystem, testDb } from "@/lib/testing/harness";
import { syncEntitlements } from "./inventory";

describe("bringing a system's entitlements in line with an import", () => {
  it("gives a new entitlement whose name another one holds (made by hand, or another ref) a suffix instead of failing", async () => {
    const db = await testDb();
    const system = await makeSystem(db);
    const byHand = await makeEntitlement(db, { systemId: system.id });
    const desired = [
      { ref: "role:a", name: byHand.name, description: "a", statements: [], level: "standard" as const },
      { ref: "attribute:b", name: "SUPERUSER", description: "b", statements: [], level: "admin" as const },
      { ref: "role:c", name: "superuser", description: "c", statements: [], level: "standard" as const },
    ];
    const { idByRef } = await auditedTransaction(db, (tx) => syncEntitlements(tx, SYSTEM_ACTOR, system.id, desired, "test", new Date()));
    const names = await Promise.all(
      ["role:a", "attribute:b", "role:c"].map(
        async (ref) =>
          (
            await db
              .select()
              .from(entitlements)
              .where(eq(entitlements.id, idByRef.get(ref)!))
          )[0].name,
      ),
    );
    expect(names).toEqual([`${byHand.name} (2)`, "SUPERUSER", "superuser (2)"]);
    // Again: the same rows, the same names.
    const again = await auditedTransaction(db, (tx) => syncEntitlements(tx, SYSTEM_ACTOR, system.id, desired, "test", new Date()));
    expect(again.summary).toMatchObject({ created: 0, unchanged: 3 });
  });
});
