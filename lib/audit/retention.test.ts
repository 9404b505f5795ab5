import { readdir } from "node:fs/promises";
import path from "node:path";
import { eq, lte } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog } from "@/db/schema";
import { makeCaller } from "@/lib/testing/harness";
import { purgeAuditLog } from "./purge";
import { auditLogFixture, OPERATOR } from "./test-fixtures";
import { PURGE_ACTION } from "./verify";

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** Old rows, a checkpoint, then the date the purge takes, then newer rows. */
async function logWithHistory() {
  const log = await auditLogFixture();
  const old = await log.write(4);
  await log.checkpoint(new Date("2026-01-01T00:00:00Z"));
  await tick();
  const before = new Date();
  await tick();
  const recent = await log.write(2);
  return { log, old, recent, before };
}

describe("audit retention purge", () => {
  it("removes the oldest rows, records itself, checkpoints the rest, and the log still verifies", async () => {
    const { log, old, recent, before } = await logWithHistory();
    const purged = await purgeAuditLog(log.db, OPERATOR, { before: before.toISOString() }, { checkpointDir: log.dir });
    expect(purged).toMatchObject({ rows: 4, throughId: old[3].id, throughSeq: 4 });

    const rows = await log.rows();
    expect(rows.map((r) => r.id)).toEqual([...recent.map((r) => r.id), purged.auditRowId]);
    expect(rows.at(-1)).toMatchObject({
      action: PURGE_ACTION,
      actorLabel: "cli: test",
      seq: 7,
      after: { before: before.toISOString(), throughId: old[3].id, throughSeq: 4, throughHash: old[3].hash, rows: 4 },
    });
    // The checkpoint pins the purge's own row, so deleting it shows too.
    expect(purged.checkpoint).toBe(path.join(log.dir, (await readdir(log.dir)).sort().at(-1)!));
    expect(purged.checkpoint).toContain("checkpoint-000000000007-");

    const result = await log.verify();
    expect(result).toMatchObject({
      ok: true,
      problems: [],
      checked: 3,
      retention: { rowId: purged.auditRowId, by: "cli: test", before: before.toISOString(), throughSeq: 4, throughId: old[3].id },
      // The checkpoint of the purged rows is accounted for by the purge, not reported as rows lost.
      checkpoints: { read: 2, coveredByRetention: 1, lastGood: { headId: purged.auditRowId, headSeq: 7 } },
    });
  });

  it("still detects rows deleted after the purge's anchor, and the purge's own row deleted", async () => {
    const { log, recent, before } = await logWithHistory();
    const purged = await purgeAuditLog(log.db, OPERATOR, { before }, { checkpointDir: log.dir });
    await log.asDba((tx) => tx.delete(auditLog).where(eq(auditLog.id, recent[0].id)));
    expect((await log.verify()).problems).toEqual([
      expect.objectContaining({
        kind: "start-deleted",
        rows: 1,
        message: `The oldest 1 row of the chain after the retention purge's anchor (position 4) is gone (chain position 5, before row ${recent[1].id}); no retention purge accounts for it.`,
      }),
    ]);
    await log.asDba((tx) => tx.delete(auditLog).where(eq(auditLog.id, purged.auditRowId)));
    expect((await log.verify()).problems.map((p) => p.kind)).toEqual(["start-deleted", "truncated"]);
  });

  it("can purge everything but its own row", async () => {
    const log = await auditLogFixture();
    await log.write(3);
    await tick();
    const purged = await purgeAuditLog(log.db, OPERATOR, { before: new Date() }, { checkpointDir: log.dir });
    expect(purged.rows).toBe(3);
    expect((await log.rows()).map((r) => r.action)).toEqual([PURGE_ACTION]);
    expect(await log.verify()).toMatchObject({ ok: true, checked: 1, retention: { throughSeq: 3 } });
  });

  it("refuses to purge a log that does not verify, and changes nothing", async () => {
    const { log, old, before } = await logWithHistory();
    await log.asDba((tx) => tx.update(auditLog).set({ actorLabel: "someone else" }).where(eq(auditLog.id, old[1].id)));
    await expect(purgeAuditLog(log.db, OPERATOR, { before }, { checkpointDir: log.dir })).rejects.toMatchObject({
      status: 409,
      message: `The audit log does not verify, so nothing was purged (that would destroy the evidence): Row ${old[1].id} was altered: its content no longer matches its signature.`,
    });
    expect(await log.rows()).toHaveLength(6);
  });

  it("is for admins only, with a past date that leaves rows to purge", async () => {
    const { log, old, before } = await logWithHistory();
    const auditor = await makeCaller(log.db, ["auditor"]);
    await expect(purgeAuditLog(log.db, auditor, { before })).rejects.toMatchObject({ status: 403 });
    await expect(purgeAuditLog(log.db, null, { before })).rejects.toMatchObject({ status: 401 });
    await expect(purgeAuditLog(log.db, OPERATOR, { before: "last tuesday" })).rejects.toMatchObject({
      status: 422,
      fieldErrors: { before: ["Before must be a date."] },
    });
    await expect(purgeAuditLog(log.db, OPERATOR, { before: new Date(Date.now() + 86_400_000) })).rejects.toMatchObject({
      fieldErrors: { before: ["Before must not be in the future."] },
    });
    await expect(purgeAuditLog(log.db, OPERATOR, { before: "2000-01-01" }, { checkpointDir: log.dir })).rejects.toMatchObject({
      fieldErrors: { before: ["No audit rows are older than that date."] },
    });
    expect(await log.db.select().from(auditLog).where(lte(auditLog.id, old[3].id))).toHaveLength(4);

    const admin = await makeCaller(log.db, ["admin"]);
    await purgeAuditLog(log.db, admin, { before }, { checkpointDir: log.dir });
    expect((await log.rows()).at(-1)).toMatchObject({ action: PURGE_ACTION, actorId: admin.identityId, actorLabel: admin.email });
  });
});
