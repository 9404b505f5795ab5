import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { entitlements, identities, systems, usageEvents, usageRollups } from "@/db/schema";
import { makeGrant, testDb, uniq } from "@/lib/testing/harness";
import { reconcileIdentity } from "@/lib/reconciliation/actions";
import { importPgLog } from "./log-import";

const FIXTURES = path.join(import.meta.dirname, "fixtures");

describe("importing pgaudit logs (csvlog and jsonlog)", () => {
  it("makes each SESSION audit line use of its privilege by its role in its session, and skips the rest by reason", async () => {
    const db = await testDb();
    const name = uniq("pg");
    const [system] = await db.insert(systems).values({ name, kind: "database", externalId: name }).returning();
    const role = (r: string) => `${r}_${name.replace(/-/g, "_")}`;
    const [app, ops] = await db
      .insert(identities)
      .values(["app", "ops"].map((r) => ({ kind: "service_account" as const, name: role(r), displayName: r, externalId: role(r), systemId: system.id })))
      .returning();
    const { entitlement: readers } = await makeGrant(db, app.id, { systemId: system.id });
    await db
      .update(entitlements)
      .set({ permissions: [{ effect: "Allow", actions: ["public.accounts:SELECT", "public.ledger:SELECT"], conditional: false, allResources: true }] })
      .where(eq(entitlements.id, readers.id));

    // The fixture's times moved to yesterday, whenever the test runs; its roles renamed to this test's.
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const load = async (f: string) =>
      (await readFile(path.join(FIXTURES, f), "utf8")).replaceAll("2026-11-20", day).replaceAll("APP_ROLE", role("app")).replaceAll("OPS_ROLE", role("ops"));
    const dir = await mkdtemp(path.join(tmpdir(), "pg-log-"));
    await writeFile(path.join(dir, "postgresql-Mon.csv"), await load("postgresql.csv"));
    await writeFile(path.join(dir, "postgresql-Tue.json.gz"), gzipSync(await load("postgresql-json.log")));
    // JSON that is not an entry: counted as unreadable lines, never a failed file.
    await writeFile(path.join(dir, "postgresql-Wed.json"), "null\n42\n");

    const s = await importPgLog(db, { system: name, paths: [dir] });
    expect(s).toMatchObject({
      files: 3,
      records: 11,
      unreadableFiles: [],
      usage: { inserted: 4, duplicates: 0, denied: 0 },
      skipped: { "not an audit line": 2, "object audit (repeats session audit)": 1, "unknown-principal": 1, "unreadable line": 3 },
      unknownPrincipals: [{ principal: "intruder", records: 1 }],
    });
    const stored = await db
      .select({ action: usageEvents.action, sessionId: usageEvents.sessionId })
      .from(usageEvents)
      .where(eq(usageEvents.identityId, app.id));
    expect(stored.map((e) => e.action).sort()).toEqual(["public.accounts:SELECT", "public.ledger:INSERT"]);
    expect(new Set(stored.map((e) => e.sessionId))).toEqual(new Set(["6560a1b2.1092"]));
    const [rollup] = await db
      .select()
      .from(usageRollups)
      .where(and(eq(usageRollups.identityId, app.id), eq(usageRollups.entitlementId, readers.id)));
    expect(rollup.successCount).toBe(1);
    const r = await reconcileIdentity(db, { identity: app.id });
    expect(Object.fromEntries(r.actions.map((a) => [a.action, a.status]))).toMatchObject({
      "public.accounts:SELECT": "used",
      "public.ledger:SELECT": "unused",
      "public.ledger:INSERT": "unapproved",
    });
    const opsUses = await db.select({ action: usageEvents.action }).from(usageEvents).where(eq(usageEvents.identityId, ops.id));
    expect(opsUses.map((u) => u.action).sort()).toEqual([":GRANT", "public.ledger:SELECT"]);
    expect((await importPgLog(db, { system: name, paths: [dir] })).usage).toEqual({ inserted: 0, duplicates: 4, denied: 0 });
    await expect(importPgLog(db, { system: uniq("nowhere"), paths: [dir] })).rejects.toMatchObject({
      fieldErrors: { system: [expect.stringMatching(/import its roles first/)] },
    });
  });
});
