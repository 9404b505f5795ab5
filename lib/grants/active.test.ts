import { and, eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { grantActiveAt, grantActiveDuring, grantIsActive, grants } from "@/db/schema";
import { queryRows } from "@/db/rows";
import { makeGrant, makePerson, testDb } from "@/lib/testing/harness";

const hour = 3_600_000;

describe("grantActiveAt, the one definition of active access", () => {
  it("reads each grant's window [starts_at, min(revoked_at, expires_at)) at any instant, never an eligibility", async () => {
    const db = await testDb();
    const person = await makePerson(db);
    const now = Date.now();
    const at = (offset: number) => new Date(now + offset);
    const make = async (name: string, opts: Parameters<typeof makeGrant>[2] & { startsAt?: Date }) => {
      const { grant } = await makeGrant(db, person.id, opts);
      if (opts.startsAt) await db.update(grants).set({ startsAt: opts.startsAt }).where(eq(grants.id, grant.id));
      return [grant.id, name] as const;
    };
    const names = new Map([
      await make("open", {}),
      await make("expired", { expiresAt: at(-hour) }),
      await make("revoked", { revokedAt: at(-hour) }),
      await make("eligible", { type: "eligible" }),
      await make("future", { startsAt: at(hour) }),
    ]);
    const activeAt = async (where: ReturnType<typeof grantActiveAt>) =>
      (
        await db
          .select({ id: grants.id })
          .from(grants)
          .where(and(eq(grants.identityId, person.id), where))
      )
        .map((r) => names.get(r.id))
        .sort();

    expect(await activeAt(grantIsActive)).toEqual(["open"]);
    expect(await activeAt(grantActiveAt(at(0)))).toEqual(["open"]);
    expect(await activeAt(grantActiveAt(at(-2 * hour)))).toEqual(["expired", "open", "revoked"]);
    expect(await activeAt(grantActiveAt(at(-hour)))).toEqual(["open"]); // the end instant is outside the window
    expect(await activeAt(grantActiveAt(at(2 * hour)))).toEqual(["future", "open"]);
    expect(await activeAt(grantActiveAt(at(-2 * 86_400_000)))).toEqual([]);
    expect(await activeAt(grantActiveDuring(at(-3 * hour), at(-2 * hour)))).toEqual(["expired", "open", "revoked"]);
    expect(await activeAt(grantActiveDuring(at(-hour), at(2 * hour)))).toEqual(["future", "open"]);

    // The same predicate over an alias, in raw SQL that names the table `g`.
    const g = alias(grants, "g");
    const raw = await queryRows<{ id: string }>(
      db,
      sql`select g.id from grants g where g.identity_id = ${person.id} and ${grantActiveAt(sql`${at(-2 * hour).toISOString()}::timestamptz`, g)}`,
    );
    expect(raw.map((r) => names.get(r.id)).sort()).toEqual(["expired", "open", "revoked"]);
  });
});
