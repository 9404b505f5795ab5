import { asc, gt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { auditLog, GENESIS_HASH, hashAuditRow } from "@/db/schema";

export type VerifyResult =
  | { ok: true; checked: number; lastId: number | null }
  | { ok: false; checked: number; brokenAt: number; reason: string };

/**
 * Walks the chain in id order and reports the first row whose stored hash or
 * link does not match. A deleted row shows as a broken link at its successor.
 */
export async function verifyAuditChain(db: Db, batchSize = 5000): Promise<VerifyResult> {
  let prevHash = GENESIS_HASH;
  let cursor = 0;
  let checked = 0;
  for (;;) {
    const rows = await db.select().from(auditLog).where(gt(auditLog.id, cursor)).orderBy(asc(auditLog.id)).limit(batchSize);
    if (rows.length === 0) return { ok: true, checked, lastId: cursor || null };
    for (const row of rows) {
      if (row.prevHash !== prevHash) {
        return { ok: false, checked, brokenAt: row.id, reason: "previous-hash link does not match the row before it" };
      }
      const expected = hashAuditRow(prevHash, row);
      if (expected !== row.hash) {
        return { ok: false, checked, brokenAt: row.id, reason: "row content does not match its hash" };
      }
      prevHash = row.hash;
      cursor = row.id;
      checked++;
    }
  }
}
