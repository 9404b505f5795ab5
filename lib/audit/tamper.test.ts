import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { eq, gt, gte, inArray, lte, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { keyedAuditHash, legacyAuditHash } from "@/db/audit-chain";
import { auditKeyRing, deriveAuditKey } from "@/db/audit-key";
import { auditLog } from "@/db/schema";
import { auditLogFixture } from "./test-fixtures";
import { MAX_PROBLEMS } from "./verify";

// Every way a database administrator can tamper with the log, each detected
// without trusting the database: the rows are signed with a key it does not
// hold, and signed checkpoints of the head are kept outside it.
describe("audit log tampering", () => {
  it("an intact log verifies against its checkpoints", async () => {
    const log = await auditLogFixture();
    await log.write(5);
    await log.checkpoint();
    const rows = await log.write(3);
    const written = await log.checkpoint();
    expect(await log.verify()).toMatchObject({
      ok: true,
      checked: 8,
      problems: [],
      head: { id: rows[2].id, seq: 8 },
      checkpoints: { read: 2, lastGood: { headId: rows[2].id, headSeq: 8, file: path.basename(written!.file) } },
    });
  });

  it("detects an edited row", async () => {
    const log = await auditLogFixture();
    const rows = await log.write(4);
    await log.checkpoint();
    await log.asDba((tx) => tx.update(auditLog).set({ actorLabel: "someone else" }).where(eq(auditLog.id, rows[1].id)));
    const result = await log.verify();
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      { kind: "edited", fromId: rows[1].id, toId: rows[1].id, rows: 1, message: `Row ${rows[1].id} was altered: its content no longer matches its signature.` },
    ]);
  });

  it("detects an edit with every later hash recomputed by the app's own hash function: it lacks the key", async () => {
    const log = await auditLogFixture();
    const rows = await log.write(5);
    // The pre-key scheme (plain SHA-256), keeping the key ids…
    await log.asDba(async (tx) => {
      let prev = rows[1].prevHash;
      for (const row of rows.slice(1)) {
        const edited = row.id === rows[1].id ? { ...row, after: { i: 99 } } : row;
        const hash = legacyAuditHash(prev, edited);
        await tx.update(auditLog).set({ after: edited.after, prevHash: prev, hash }).where(eq(auditLog.id, row.id));
        prev = hash;
      }
    });
    expect((await log.verify()).problems).toEqual([
      expect.objectContaining({
        kind: "edited",
        fromId: rows[1].id,
        toId: rows[4].id,
        rows: 4,
        message: expect.stringContaining(`Rows ${rows[1].id}–${rows[4].id} (4 rows) no longer match their signatures`),
      }),
    ]);
    // …or dropping them to pass the rows off as written before the key existed…
    await log.asDba((tx) => tx.update(auditLog).set({ keyId: null }).where(gte(auditLog.id, rows[1].id)));
    expect((await log.verify()).problems).toEqual([
      expect.objectContaining({
        kind: "forged-legacy",
        fromId: rows[1].id,
        rows: 4,
        message: expect.stringContaining(`carry no key id although the chain was keyed since row ${rows[0].id}`),
      }),
    ]);
    // …or the keyed scheme with a guessed key under the real key's id.
    const guess = { ...deriveAuditKey("a-guess-at-the-key-000000000000000000"), id: rows[0].keyId! };
    await log.asDba(async (tx) => {
      let prev = rows[1].prevHash;
      for (const row of rows.slice(1)) {
        const hash = keyedAuditHash(guess, row.seq, prev, { ...row, after: { i: 99 } });
        await tx.update(auditLog).set({ keyId: guess.id, prevHash: prev, hash }).where(eq(auditLog.id, row.id));
        prev = hash;
      }
    });
    expect((await log.verify()).problems).toEqual([expect.objectContaining({ kind: "edited", fromId: rows[1].id, rows: 4 })]);
  });

  it("detects rows deleted from the middle and says how many", async () => {
    const log = await auditLogFixture();
    const rows = await log.write(6);
    await log.asDba((tx) => tx.delete(auditLog).where(inArray(auditLog.id, [rows[2].id, rows[3].id])));
    expect((await log.verify()).problems).toEqual([
      {
        kind: "deleted",
        fromId: rows[1].id,
        toId: rows[4].id,
        rows: 2,
        message: `2 rows deleted between row ${rows[1].id} and row ${rows[4].id} (chain positions 3–4).`,
      },
    ]);
  });

  it("reports the first problems and counts the rest", async () => {
    const log = await auditLogFixture();
    await log.write(230);
    await log.asDba((tx) => tx.execute(sql`delete from audit_log where id % 2 = 0 and id < 230`));
    const result = await log.verify();
    expect(result).toMatchObject({ ok: false, omittedProblems: 14 });
    expect(result.problems).toHaveLength(MAX_PROBLEMS);
    expect(result.problems[99]).toMatchObject({ kind: "deleted", rows: 1, message: "1 row deleted between row 199 and row 201 (chain position 200)." });
  });

  it("detects the newest rows deleted after a checkpoint, naming them and the last good checkpoint", async () => {
    const log = await auditLogFixture();
    const kept = await log.write(4);
    const good = await log.checkpoint(new Date("2026-03-01T10:00:00Z"));
    const lost = await log.write(3);
    const newest = await log.checkpoint(new Date("2026-03-01T10:05:00Z"));
    await log.asDba((tx) => tx.delete(auditLog).where(gt(auditLog.id, kept[3].id)));
    const result = await log.verify();
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      {
        kind: "truncated",
        fromId: kept[3].id,
        toId: lost[2].id,
        rows: 3,
        message: `The newest 3 rows are gone: chain positions 5–7, after row ${kept[3].id} through row ${lost[2].id}; checkpoint ${path.basename(newest!.file)} (2026-03-01T10:05:00.000Z) recorded the chain through row ${lost[2].id}, position 7.`,
      },
    ]);
    expect(result.checkpoints.lastGood).toEqual({ file: path.basename(good!.file), at: "2026-03-01T10:00:00.000Z", headId: kept[3].id, headSeq: 4 });
  });

  it("detects the newest rows deleted and the chain continued in their place", async () => {
    const log = await auditLogFixture();
    const kept = await log.write(2);
    await log.checkpoint();
    const lost = await log.write(2);
    await log.checkpoint();
    await log.asDba((tx) => tx.delete(auditLog).where(gt(auditLog.id, kept[1].id)));
    await log.write(3);
    const result = await log.verify();
    expect(result.problems).toEqual([
      expect.objectContaining({
        kind: "replaced",
        toId: lost[1].id,
        message: expect.stringContaining(
          `rows after row ${kept[1].id}, the last good checkpoint, were deleted and the chain continued without them (up to 2 rows, chain positions 3–4, replaced)`,
        ),
      }),
    ]);
  });

  it("detects every row deleted", async () => {
    const log = await auditLogFixture();
    const rows = await log.write(5);
    await log.checkpoint();
    await log.asDba((tx) => tx.delete(auditLog));
    const result = await log.verify();
    expect(result).toMatchObject({ ok: false, head: null, checked: 0 });
    expect(result.problems).toEqual([
      expect.objectContaining({
        kind: "emptied",
        toId: rows[4].id,
        rows: 5,
        message: expect.stringMatching(
          new RegExp(`^All audit rows are gone: the table is empty, but checkpoint .* recorded the chain through row ${rows[4].id}, position 5\\.$`),
        ),
      }),
    ]);
  });

  it("detects the table truncated", async () => {
    const log = await auditLogFixture();
    const rows = await log.write(5);
    await log.checkpoint();
    await log.asDba((tx) => tx.execute(sql`truncate audit_log`));
    expect((await log.verify()).problems).toEqual([expect.objectContaining({ kind: "emptied", toId: rows[4].id, rows: 5 })]);
  });

  it("detects the oldest rows deleted without a retention purge", async () => {
    const log = await auditLogFixture();
    const rows = await log.write(5);
    await log.asDba((tx) => tx.delete(auditLog).where(lte(auditLog.id, rows[1].id)));
    expect((await log.verify()).problems).toEqual([
      {
        kind: "start-deleted",
        toId: rows[2].id,
        rows: 2,
        message: `The oldest 2 rows of the chain are gone (chain positions 1–2, before row ${rows[2].id}); no retention purge accounts for them.`,
      },
    ]);
  });

  it("detects a forged or altered checkpoint", async () => {
    const log = await auditLogFixture();
    await log.write(3);
    const written = await log.checkpoint();
    const file = written!.file;
    const claimed = JSON.parse(await readFile(file, "utf8"));
    await writeFile(file, JSON.stringify({ ...claimed, headSeq: 2 }));
    const forged = path.join(log.dir, "checkpoint-000000000009-00000000000000aa.json");
    await writeFile(forged, JSON.stringify({ ...claimed, headId: 9, headSeq: 9, signature: "0".repeat(64) }));
    await writeFile(path.join(log.dir, "checkpoint-000000000010-00000000000000bb.json"), "{ not json");
    const result = await log.verify();
    expect(result.problems).toEqual([
      expect.objectContaining({
        kind: "forged-checkpoint",
        file: path.basename(file),
        message: expect.stringContaining("does not carry a valid signature: it was forged or altered (it claims row"),
      }),
      expect.objectContaining({ kind: "forged-checkpoint", file: path.basename(forged) }),
      expect.objectContaining({ kind: "damaged-checkpoint", file: "checkpoint-000000000010-00000000000000bb.json" }),
    ]);
  });

  it("cannot vouch for anything without the key, and names a key it does not know", async () => {
    const log = await auditLogFixture();
    const rows = await log.write(3);
    await log.checkpoint();
    const none = { current: null, byId: new Map() };
    const withoutKey = await log.verify({ keys: none });
    expect(withoutKey).toMatchObject({ ok: false, keyConfigured: false, checked: 0 });
    expect(withoutKey.problems.map((p) => p.message)).toEqual([
      expect.stringContaining("signed with key"),
      `No audit key is configured (AUDIT_KEY or AUDIT_KEY_FILE): rows ${rows[0].id}–${rows[2].id} (3 rows) cannot be verified.`,
    ]);
    const other = deriveAuditKey("some-other-installation-key-0000000000000");
    const wrong = await log.verify({ keys: { current: other, byId: new Map([[other.id, other]]) } });
    expect(wrong).toMatchObject({ ok: false, keyConfigured: true });
    expect(wrong.problems).toEqual([
      expect.objectContaining({ kind: "checkpoint-unknown-key" }),
      expect.objectContaining({
        kind: "unknown-key",
        rows: 3,
        message: expect.stringContaining(`are signed with key ${rows[0].keyId}, which is not configured`),
      }),
    ]);
  });

  it("verifies rows signed under a retired key kept in AUDIT_PREVIOUS_KEYS", async () => {
    const log = await auditLogFixture();
    const old = "the-retired-audit-key-0000000000000000000000";
    vi.stubEnv("AUDIT_KEY", old);
    try {
      await log.write(2);
      await log.checkpoint();
      vi.stubEnv("AUDIT_KEY", "the-new-audit-key-00000000000000000000000000");
      await log.write(2);
      await log.checkpoint();
      expect(await log.verify()).toMatchObject({
        ok: false,
        problems: [expect.objectContaining({ kind: "checkpoint-unknown-key" }), expect.objectContaining({ kind: "unknown-key", rows: 2 })],
      });
      vi.stubEnv("AUDIT_PREVIOUS_KEYS", old);
      expect(auditKeyRing().byId.size).toBe(2);
      expect(await log.verify()).toMatchObject({ ok: true, checked: 4, checkpoints: { read: 2 } });
      const keys = new Set((await log.rows()).map((r) => r.keyId));
      expect(keys.size).toBe(2);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
