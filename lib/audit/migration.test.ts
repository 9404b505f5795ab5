import { copyFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import { describe, expect, it } from "vitest";
import { GENESIS_HASH, legacyAuditHash, type AuditContent } from "@/db/audit-chain";
import type { Database } from "@/db/client";
import { migrate, MIGRATIONS_DIR } from "@/db/migrate";
import { auditLog } from "@/db/schema";
import { isolatedDatabase } from "@/db/testing";
import { checkpointAuditChain } from "./checkpoint";
import { recordAudit } from "./record";
import { OPERATOR, tempDir } from "./test-fixtures";
import { verifyAuditLog } from "./verify";

/** The migrations as they were before the audit chain was keyed. */
async function migrateToBeforeTheKey(database: Database) {
  const folder = await tempDir();
  const journal = JSON.parse(await readFile(path.join(MIGRATIONS_DIR, "meta/_journal.json"), "utf8"));
  const cut = journal.entries.findIndex((e: { tag: string }) => e.tag.endsWith("_audit_keyed_chain"));
  journal.entries = journal.entries.slice(0, cut);
  await mkdir(path.join(folder, "meta"));
  await writeFile(path.join(folder, "meta/_journal.json"), JSON.stringify(journal));
  for (const file of await readdir(MIGRATIONS_DIR)) if (file.endsWith(".sql")) await copyFile(path.join(MIGRATIONS_DIR, file), path.join(folder, file));
  const config = { migrationsFolder: folder };
  if (database.target.kind === "pglite") await migratePglite(database.db as never, config);
  else await migratePostgres(database.db as never, config);
}

describe("audit rows written before the key", () => {
  it("are kept, numbered and anchored by the first keyed row; rewriting them or forging more shows", async () => {
    const database = await isolatedDatabase({ migrated: false });
    const dir = await tempDir();
    const { db } = database;
    const verify = () => verifyAuditLog(db, OPERATOR, { checkpointDir: dir });
    try {
      await migrateToBeforeTheKey(database);
      let prev = GENESIS_HASH;
      const legacy: (AuditContent & { hash: string })[] = [];
      for (let i = 0; i < 3; i++) {
        const content = {
          occurredAt: new Date(Date.UTC(2025, 0, i + 1)),
          actorId: null,
          actorLabel: "before",
          action: "identity.created",
          entityType: "thing",
          entityId: `old${i}`,
          before: null,
          after: { i },
        };
        const hash = legacyAuditHash(prev, content);
        await db.execute(sql`insert into audit_log (occurred_at, actor_label, action, entity_type, entity_id, after, prev_hash, hash)
          values (${content.occurredAt.toISOString()}, ${content.actorLabel}, ${content.action}, ${content.entityType}, ${content.entityId}, ${JSON.stringify(content.after)}::jsonb, ${prev}, ${hash})`);
        legacy.push({ ...content, hash });
        prev = hash;
      }

      await migrate(database);
      expect((await db.select().from(auditLog).orderBy(auditLog.id)).map((r) => [r.seq, r.keyId])).toEqual([
        [1, null],
        [2, null],
        [3, null],
      ]);
      const unanchored = await verify();
      expect(unanchored).toMatchObject({ ok: true, legacyRows: 3, checked: 3 });
      expect(unanchored.warnings).toContain("3 rows predate the audit key and nothing anchors them yet: the first keyed row or checkpoint will.");

      await db.transaction((tx) => recordAudit(tx, { id: null, label: "after" }, [{ action: "identity.updated", entityType: "thing", entityId: "new" }]));
      const rows = await db.select().from(auditLog).orderBy(auditLog.id);
      expect(rows[3]).toMatchObject({ seq: 4, prevHash: legacy[2].hash, keyId: expect.any(String) });
      await checkpointAuditChain(db, { dir });
      expect(await verify()).toMatchObject({ ok: true, legacyRows: 3, checked: 4, warnings: [] });

      // A DBA rewrites a pre-key row and recomputes the pre-key hashes after it: the keyed row they lead to no longer follows.
      await db.transaction(async (tx) => {
        await tx.execute(sql`set local session_replication_role = replica`);
        let prevHash = rows[0].hash;
        for (const row of rows.slice(1, 3)) {
          const hash = legacyAuditHash(prevHash, { ...row, actorLabel: "someone else" });
          await tx.update(auditLog).set({ actorLabel: "someone else", prevHash, hash }).where(eq(auditLog.id, row.id));
          prevHash = hash;
        }
        // …and appends a row in the pre-key scheme after the keyed chain.
        const content = { ...rows[0], entityId: "forged", occurredAt: new Date() };
        await tx
          .insert(auditLog)
          .values({ ...content, id: undefined, seq: 5, prevHash: rows[3].hash, hash: legacyAuditHash(rows[3].hash, content), keyId: null });
      });
      const result = await verify();
      expect(result.problems.map((p) => p.message)).toEqual([
        `Row ${rows[3].id} does not link to row ${rows[2].id} before it: row ${rows[2].id} or rows before it were rewritten, or its link was altered.`,
        `Row ${rows[3].id + 1} carries no key id although the chain was keyed since row ${rows[3].id}: forged to pass as rows from before the key.`,
      ]);
    } finally {
      await database.close();
    }
  });
});
