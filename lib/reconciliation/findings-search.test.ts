import { describe, expect, it } from "vitest";
import { identities } from "@/db/schema";
import { raiseFindings, type FindingInput } from "@/lib/findings/raise";
import { makeCaller, makePerson, makeSystem, testDb, uniq } from "@/lib/testing/harness";
import { SEARCH_COUNT_CAP, listFindings } from "./findings";

const finding = (identityId: string, systemId: string, title: string, i: number): FindingInput => ({
  kind: i % 2 ? "orphaned_nhi" : "stale_credential",
  severity: i % 3 === 0 ? "critical" : "medium",
  identityId,
  systemId,
  source: "test",
  title,
  discriminator: String(i),
});

describe("searching the findings", () => {
  it("counts a narrow search exactly, and a broad one up to the cap, saying so, with the page in list order", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const system = await makeSystem(db);
    const person = await makePerson(db);
    const word = uniq("quokka").replace(/[^a-z0-9]/gi, "");
    const many = Array.from({ length: SEARCH_COUNT_CAP + 20 }, (_, i) => finding(person.id, system.id, `${word} finding ${i}`, i));
    await db.transaction((tx) => raiseFindings(tx, many));

    const narrow = await listFindings(db, admin, { q: `${word} finding 7` });
    // "… 7", "… 70"–"… 79", "… 700"–"… 799": exactly.
    expect(narrow).toMatchObject({ total: 111, countsCapped: false });

    const broad = await listFindings(db, admin, { q: word, pageSize: "50" });
    expect(broad.countsCapped).toBe(true);
    // At least the cap, shown "1,000+".
    expect(broad.total).toBe(SEARCH_COUNT_CAP);
    // A kind chosen is counted apart: its 510 matches exactly, under the cap.
    expect(await listFindings(db, admin, { q: word, kind: "orphaned_nhi" })).toMatchObject({ total: (SEARCH_COUNT_CAP + 20) / 2, countsCapped: true });
    // Past the cap's pages a full page still offers the next.
    const far = await listFindings(db, admin, { q: word, page: "20", pageSize: "50" });
    expect(far.rows).toHaveLength(50);
    expect(far.pageCount).toBe(21);
    expect(broad.rows).toHaveLength(50);
    // Most severe first, as the list always is.
    expect(broad.rows.every((r) => r.severity === "critical")).toBe(true);
  });

  it("matches a word naming more identities than it lists one by one on each finding read, with the same answer", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const system = await makeSystem(db);
    const word = uniq("numbat").replace(/[^a-z0-9]/gi, "");
    // More people named with the word than the search lists by id.
    const people = await db
      .insert(identities)
      .values(
        Array.from({ length: 2100 }, (_, i) => ({
          kind: "human" as const,
          name: `${word}-${i}`,
          displayName: `${word} ${i}`,
          email: `${word}-${i}@test.example`,
        })),
      )
      .returning({ id: identities.id });
    await db.transaction((tx) =>
      raiseFindings(
        tx,
        people.slice(0, 30).map((p, i) => finding(p.id, system.id, "no word in this title", i)),
      ),
    );
    const found = await listFindings(db, admin, { q: word, status: "all" });
    expect(found).toMatchObject({ total: 30, countsCapped: false });
    expect(found.byKind).toEqual({ orphaned_nhi: 15, stale_credential: 15 });
  });
});
