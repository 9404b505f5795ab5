import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db, Tx } from "@/db/client";
import { auditLog } from "@/db/schema";
import { makeCaller, testDb, uniq } from "@/lib/testing/harness";
import { listAudit } from "./list";
import { recordAudit } from "./record";
import { OPERATOR } from "./test-fixtures";
import { verifyAuditLog } from "./verify";

const actor = { id: null, label: "test" };
const verifyAuditChain = (db: Db) => verifyAuditLog(db, OPERATOR);
/** What the database said when it refused a statement (drizzle wraps the driver's error). */
const refusal = (query: PromiseLike<unknown>) =>
  Promise.resolve(query).then(
    () => "accepted",
    (e) => String(e.cause?.message ?? e.message),
  );

describe("audit log", () => {
  it("appends hash-chained rows that verify", async () => {
    const db = await testDb();
    const entityId = uniq("thing");
    await db.transaction((tx) => recordAudit(tx, actor, { action: "identity.created", entityType: "thing", entityId, after: { n: 1, at: new Date(0) } }));
    await db.transaction((tx) => recordAudit(tx, actor, { action: "identity.updated", entityType: "thing", entityId, before: { n: 1 }, after: { n: 2 } }));
    const rows = await db.select().from(auditLog).where(eq(auditLog.entityId, entityId)).orderBy(auditLog.id);
    expect(rows.map((r) => r.action)).toEqual(["identity.created", "identity.updated"]);
    expect(rows[1].prevHash).not.toBe(rows[0].prevHash);
    expect(rows[0].after).toEqual({ n: 1, at: "1970-01-01T00:00:00.000Z" });
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it("rolls back with the change it records", async () => {
    const db = await testDb();
    const entityId = uniq("rolled-back");
    await expect(
      db.transaction(async (tx) => {
        await recordAudit(tx, actor, { action: "identity.created", entityType: "thing", entityId });
        throw new Error("change failed");
      }),
    ).rejects.toThrow("change failed");
    expect(await db.select().from(auditLog).where(eq(auditLog.entityId, entityId))).toHaveLength(0);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it("keeps one unbroken chain when transactions write at the same time", async () => {
    const db = await testDb();
    const entityId = uniq("concurrent");
    await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        db.transaction(async (tx) => {
          await tx.execute(sql`select 1`);
          await recordAudit(tx, actor, { action: "identity.updated", entityType: "thing", entityId, after: { n } });
        }),
      ),
    );
    expect(await db.select().from(auditLog).where(eq(auditLog.entityId, entityId))).toHaveLength(20);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it("finds the first tampered row and a deleted row", async () => {
    const db = await testDb();
    const entityId = uniq("tamper");
    for (let n = 0; n < 3; n++) {
      await db.transaction((tx) => recordAudit(tx, actor, { action: "grant.revoked", entityType: "grant", entityId, after: { n } }));
    }
    const rows = await db.select().from(auditLog).where(eq(auditLog.entityId, entityId)).orderBy(auditLog.id);
    const victim = rows[1];
    // The trigger refuses both; a superuser switches it off for their session, as an attacker with the database would.
    const asDba = (fn: (tx: Tx) => Promise<unknown>) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`set local session_replication_role = replica`);
        await fn(tx);
      });
    try {
      await asDba((tx) =>
        tx
          .update(auditLog)
          .set({ after: { n: 99 } })
          .where(eq(auditLog.id, victim.id)),
      );
      expect(await verifyAuditChain(db)).toMatchObject({
        ok: false,
        problems: [{ kind: "edited", fromId: victim.id, message: expect.stringContaining("content no longer matches its signature") }],
      });
      await asDba((tx) => tx.update(auditLog).set({ after: victim.after }).where(eq(auditLog.id, victim.id)));
      expect(await verifyAuditChain(db)).toMatchObject({ ok: true });

      await asDba((tx) => tx.delete(auditLog).where(eq(auditLog.id, victim.id)));
      expect(await verifyAuditChain(db)).toMatchObject({ ok: false, problems: [{ kind: "deleted", fromId: rows[0].id, toId: rows[2].id, rows: 1 }] });
    } finally {
      // Restore the shared chain for other test files on PostgreSQL.
      await asDba((tx) =>
        tx
          .insert(auditLog)
          .values(victim)
          .onConflictDoUpdate({ target: auditLog.id, set: { after: victim.after } }),
      );
    }
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it("is append-only in the database itself: UPDATE, DELETE and TRUNCATE are refused", async () => {
    const db = await testDb();
    const entityId = uniq("append-only");
    await db.transaction((tx) => recordAudit(tx, actor, { action: "identity.created", entityType: "thing", entityId }));
    const only = eq(auditLog.entityId, entityId);
    expect(await refusal(db.update(auditLog).set({ actorLabel: "someone else" }).where(only))).toBe("audit_log is append-only: UPDATE refused");
    expect(await refusal(db.delete(auditLog).where(only))).toBe("audit_log is append-only: DELETE refused");
    expect(await refusal(db.execute(sql`truncate audit_log`))).toBe("audit_log is append-only: TRUNCATE refused");
    // The retention purge's opening lets DELETE through for rows up to the one it names, and nothing else.
    const [row] = await db.select().from(auditLog).where(only);
    const withOpening = (fn: (tx: Tx) => PromiseLike<unknown>) =>
      refusal(
        db.transaction(async (tx) => {
          await tx.execute(sql`select set_config('gov.audit_purge_through', ${String(row.id - 1)}, true)`);
          await fn(tx);
        }),
      );
    expect(await withOpening((tx) => tx.update(auditLog).set({ actorLabel: "someone else" }).where(only))).toBe("audit_log is append-only: UPDATE refused");
    expect(await withOpening((tx) => tx.delete(auditLog).where(only))).toBe("audit_log is append-only: DELETE refused");
    expect(await db.select().from(auditLog).where(only)).toEqual([row]);
  });

  it("is readable by admins and auditors only, with validated filters", async () => {
    const db = await testDb();
    const auditor = await makeCaller(db, ["auditor"]);
    const requester = await makeCaller(db, ["requester"]);
    const entityId = uniq("listed");
    await db.transaction((tx) => recordAudit(tx, actor, { action: "identity.created", entityType: "thing", entityId }));
    const page = await listAudit(db, auditor, { entityId, from: "", to: "", action: "" });
    expect(page.rows.map((r) => r.entityId)).toEqual([entityId]);
    await expect(listAudit(db, requester, {})).rejects.toMatchObject({ status: 403 });
    // Verification reads every row: the same people only, checked in the function itself.
    await expect(verifyAuditLog(db, requester)).rejects.toMatchObject({ status: 403 });
    await expect(verifyAuditLog(db, null)).rejects.toMatchObject({ status: 401 });
    expect(await verifyAuditLog(db, auditor)).toMatchObject({ ok: true });
    await expect(listAudit(db, auditor, { from: "2026-02-01", to: "2026-01-01" })).rejects.toMatchObject({ fieldErrors: { to: ["From must be before To."] } });
    await expect(listAudit(db, auditor, { page: "zero" })).rejects.toMatchObject({ fieldErrors: { page: ["Page must be a number."] } });
  });
});
