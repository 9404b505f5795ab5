import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { entitlements, findings, grants, identities, pamSessionEvents, pamSessions, systems, usageEvents, usageRollups } from "@/db/schema";
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
    // And a JIT window open over the log's day: sessions inside it are its evidence.
    const { grant: jit } = await makeGrant(db, app.id, { systemId: system.id, type: "jit" });
    await db
      .update(grants)
      .set({ startsAt: new Date(Date.now() - 3 * 86_400_000), expiresAt: new Date(Date.now() + 3_600_000) })
      .where(eq(grants.id, jit.id));
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
      records: 12,
      unreadableFiles: [],
      // Two statements the server refused for want of a privilege: denied attempts.
      usage: { inserted: 6, duplicates: 0, denied: 2 },
      skipped: { "connection (session evidence)": 1, "object audit (repeats session audit)": 1, "unknown-principal": 1, "unreadable line": 3 },
      // The app's login and its three statements, the operator's three statements.
      sessionEvents: { inserted: 7, duplicates: 0 },
      unknownPrincipals: [{ principal: "intruder", records: 1 }],
    });
    const stored = await db
      .select({ action: usageEvents.action, sessionId: usageEvents.sessionId })
      .from(usageEvents)
      .where(eq(usageEvents.identityId, app.id));
    // The refused DELETE's statement was not logged: the table as the server named it, unqualified.
    expect(stored.map((e) => e.action).sort()).toEqual(["accounts:DELETE", "public.accounts:SELECT", "public.ledger:INSERT"]);
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
    // Its refused UPDATE named the table qualified, the schema quoted: kept as written.
    expect(opsUses.map((u) => u.action).sort()).toEqual([":GRANT", "Payments.ledger:UPDATE", "public.ledger:SELECT"]);
    expect(r.actions.find((a) => a.action === "accounts:DELETE")).toMatchObject({ status: "denied" });
    // Each session is evidence linked to the grant that covered it: the app's JIT grant, taken first; the
    // operator held none, so its session is activity outside any grant window.
    const sessions = await db
      .select()
      .from(pamSessions)
      .where(eq(pamSessions.source, `pg-log:${name}`));
    const appSession = sessions.find((x) => x.sessionId === "6560a1b2.1092")!;
    expect(appSession).toMatchObject({ identityId: app.id, systemId: system.id, grantId: jit.id, eventCount: 4, outsideWindowCount: 0 });
    expect(appSession.startedAt.toISOString()).toBe(`${day}T10:00:00.001Z`);
    const opsSession = sessions.find((x) => x.sessionId === "6560b0c0.141f")!;
    expect(opsSession).toMatchObject({ identityId: ops.id, grantId: null, eventCount: 3, outsideWindowCount: 3 });
    const events = await db.select().from(pamSessionEvents).where(eq(pamSessionEvents.pamSessionId, appSession.id));
    expect(events.map((e) => [e.kind, e.detail, e.outcome]).sort()).toEqual([
      ["query", "accounts:DELETE", "denied"],
      ["query", "public.accounts:SELECT", "success"],
      ["query", "public.ledger:INSERT", "success"],
      ["start", `connection authorized: user=${role("app")} database=payments`, "success"],
    ]);
    const [outside] = await db
      .select()
      .from(findings)
      .where(and(eq(findings.kind, "outside_grant_window"), eq(findings.identityId, ops.id)));
    expect(outside).toMatchObject({ status: "open", systemId: system.id });

    const again = await importPgLog(db, { system: name, paths: [dir] });
    expect(again.usage).toEqual({ inserted: 0, duplicates: 6, denied: 0 });
    expect(again.sessionEvents).toEqual({ inserted: 0, duplicates: 7 });
    await expect(importPgLog(db, { system: uniq("nowhere"), paths: [dir] })).rejects.toMatchObject({
      fieldErrors: { system: [expect.stringMatching(/import its roles first/)] },
    });
  });
});
