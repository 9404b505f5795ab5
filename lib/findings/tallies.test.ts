import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { queryRows } from "@/db/rows";
import { findings, identities } from "@/db/schema";
import { listFindings } from "@/lib/reconciliation/findings";
import { frameworkView } from "@/lib/reconciliation/frameworks";
import { makeCaller, makeNhi, makePerson, makeSystem } from "@/lib/testing/harness";
import { isolatedForFile } from "@/lib/testing/isolated";
import { findingKey, raiseFindings, resolveFindings, type FindingInput } from "./raise";

// The tallies are compared with a count of every finding: a database of this file's own.
const testDb = isolatedForFile();
const onPostgres = !!process.env.DATABASE_URL;

type Group = { status: string; kind: string; severity: string; system_id: string | null; identity_kind: string; n: number };
const order = (rows: Group[]) => rows.map((r) => JSON.stringify([r.status, r.kind, r.severity, r.system_id, r.identity_kind, Number(r.n)])).sort();

/** The tallies, summed, against a count of the findings themselves. */
async function expectTalliesTrue(db: Db) {
  const counted = await queryRows<Group>(
    db,
    sql`select f.status::text, f.kind::text, f.severity::text, f.system_id, i.kind::text as identity_kind, count(*)::int as n
        from findings f join identities i on i.id = f.identity_id group by 1, 2, 3, 4, 5`,
  );
  const tallied = await queryRows<Group>(
    db,
    sql`select status::text, kind::text, severity::text, system_id, identity_kind::text, sum(n)::int as n
        from finding_tallies group by 1, 2, 3, 4, 5 having sum(n) <> 0`,
  );
  expect(order(tallied)).toEqual(order(counted));
  return counted.reduce((n, r) => n + Number(r.n), 0);
}

const finding = (identityId: string, systemId: string, i: number, over: Partial<FindingInput> = {}): FindingInput => ({
  kind: i % 3 === 0 ? "orphaned_nhi" : i % 3 === 1 ? "stale_credential" : "denied_attempt",
  severity: i % 2 ? "high" : "medium",
  identityId,
  systemId,
  source: "test",
  title: `finding ${i}`,
  discriminator: String(i),
  ...over,
});

describe("the findings' tallies", () => {
  it("follow every insert, re-raise, resolution, change of subject kind and delete, and a recount", async () => {
    const db = testDb();
    const system = await makeSystem(db);
    const nhi = await makeNhi(db);
    const person = await makePerson(db);
    const list = Array.from({ length: 30 }, (_, i) => finding(i % 2 ? nhi.id : person.id, system.id, i));
    await db.transaction((tx) => raiseFindings(tx, list));
    expect(await expectTalliesTrue(db)).toBe(30);
    // Seen again with another severity (an upsert: insert and update in one statement).
    await db.transaction((tx) =>
      raiseFindings(tx, [...list.slice(0, 10).map((f) => ({ ...f, severity: "critical" as const })), finding(nhi.id, system.id, 99)]),
    );
    await expectTalliesTrue(db);
    await db.transaction((tx) => resolveFindings(tx, list.slice(5, 15).map(findingKey), "gone"));
    await expectTalliesTrue(db);
    // The NHI turns out to be a person's account: its findings move.
    await db.update(identities).set({ kind: "human" }).where(eq(identities.id, nhi.id));
    await expectTalliesTrue(db);
    await db.update(identities).set({ name: "renamed" }).where(eq(identities.id, nhi.id));
    await db.delete(findings).where(eq(findings.identityId, person.id));
    await expectTalliesTrue(db);
    await db.execute(sql`select recount_finding_tallies()`);
    // One row per group again.
    const [{ rows, groups }] = await queryRows<{ rows: number; groups: number }>(
      db,
      sql`select (select count(*)::int from finding_tallies) as rows,
          (select count(*)::int from (select distinct f.status, f.kind, f.severity, f.system_id, i.kind from findings f join identities i on i.id = f.identity_id) g) as groups`,
    );
    expect(rows).toBe(groups);
    await expectTalliesTrue(db);

    // Whatever they held (a delta tallied under a kind that changed meanwhile), a recount makes them exact.
    await db.execute(
      sql`insert into finding_tallies (status, kind, severity, system_id, identity_kind, n) values ('open', 'orphaned_nhi', 'low', null, 'bot', 7)`,
    );
    await db.execute(sql`select recount_finding_tallies()`);
    await expectTalliesTrue(db);

    // What reads them says the same as counting.
    const admin = await makeCaller(db, ["admin"]);
    const open = await listFindings(db, admin, { systemId: system.id });
    expect(open.total).toBe((await db.select().from(findings).where(eq(findings.systemId, system.id))).filter((f) => f.status === "open").length);
    const nhi5 = (await frameworkView(db, admin)).find((c) => c.id === "NHI7")!;
    expect(nhi5.open).toBe(0); // stale credentials only about people now: OWASP's NHI controls leave them out
  });

  it.runIf(onPostgres)("stay exact when transactions raise and resolve findings while the tallies are recounted, twice at once", async () => {
    const db = testDb();
    const system = await makeSystem(db);
    const subjects = await Promise.all(Array.from({ length: 4 }, () => makeNhi(db)));
    const work = subjects.map((s, w) =>
      (async () => {
        for (let round = 0; round < 5; round++) {
          const list = Array.from({ length: 20 }, (_, i) => finding(s.id, system.id, round * 100 + i));
          await db.transaction((tx) => raiseFindings(tx, list));
          await db.transaction((tx) => resolveFindings(tx, list.slice(0, 5 + w).map(findingKey), "gone"));
        }
      })(),
    );
    const recounting = () =>
      (async () => {
        for (let i = 0; i < 10; i++) await db.execute(sql`select recount_finding_tallies()`);
      })();
    // Two recounts at once, too.
    await Promise.all([...work, recounting(), recounting()]);
    await expectTalliesTrue(db);
  });
});
