import { asc, count, desc, gte, lt, lte, sql } from "drizzle-orm";
import { z } from "zod";
import { lockAuditChain } from "@/db/audit-chain";
import { currentAuditKey } from "@/db/audit-key";
import type { Db } from "@/db/client";
import { auditLog } from "@/db/schema";
import type { Caller } from "@/lib/caller";
import { ConflictError, parseInput, ValidationError, withoutBlanks } from "@/lib/errors";
import { checkpointAuditChain } from "./checkpoint";
import { requireAuditRole, type Operator } from "./operator";
import { PURGE_ACTION, verifyAuditLog, type RetentionAnchor, type VerifyOptions } from "./verify";

const purgeInput = z
  .object({ before: z.coerce.date({ message: "Before must be a date." }) })
  .refine((q) => q.before.getTime() <= Date.now(), { message: "Before must not be in the future.", path: ["before"] });

/**
 * Retention: the one way rows leave the audit log. Removes the oldest rows, up
 * to the first one written at or after `before`, in one transaction that holds
 * the chain's lock: it first verifies the whole log (and refuses to purge a log
 * that does not verify: that would destroy the evidence), then deletes through
 * the trigger's single opening (a transaction-local setting naming the newest
 * row it may remove), then appends its own signed audit row recording the
 * anchor (the last purged row's position and hash) from which the remaining
 * chain is verified, and finally writes a checkpoint of that row outside the
 * database. Admins (and the CLI's operator) only.
 */
export async function purgeAuditLog(db: Db, who: Caller | Operator | null, raw: unknown, options: VerifyOptions = {}) {
  const actor = requireAuditRole(who, "admin");
  const input = parseInput(purgeInput, withoutBlanks(raw));
  const key = currentAuditKey();
  const purged = await db.transaction(async (tx) => {
    const link = await lockAuditChain(tx, key);
    const report = await verifyAuditLog(tx, who, options);
    if (!report.ok)
      throw new ConflictError(`The audit log does not verify, so nothing was purged (that would destroy the evidence): ${report.problems[0].message}`);
    const [firstKept] = await tx.select({ id: auditLog.id }).from(auditLog).where(gte(auditLog.occurredAt, input.before)).orderBy(asc(auditLog.id)).limit(1);
    const [through] = await tx
      .select({ id: auditLog.id, seq: auditLog.seq, hash: auditLog.hash })
      .from(auditLog)
      .where(firstKept ? lt(auditLog.id, firstKept.id) : undefined)
      .orderBy(desc(auditLog.id))
      .limit(1);
    if (!through) throw new ValidationError({ before: ["No audit rows are older than that date."] });
    const [{ n }] = await tx.select({ n: count() }).from(auditLog).where(lte(auditLog.id, through.id));
    await tx.execute(sql`select set_config('gov.audit_purge_through', ${String(through.id)}, true)`);
    await tx.delete(auditLog).where(lte(auditLog.id, through.id));
    await tx.execute(sql`select set_config('gov.audit_purge_through', '', true)`);
    const anchor: RetentionAnchor = { before: input.before.toISOString(), throughId: through.id, throughSeq: through.seq, throughHash: through.hash, rows: n };
    const row = link({
      occurredAt: new Date(),
      actorId: actor.id,
      actorLabel: actor.label,
      action: PURGE_ACTION,
      entityType: "audit_log",
      entityId: "chain",
      before: null,
      after: anchor,
    });
    const [written] = await tx.insert(auditLog).values(row).returning({ id: auditLog.id });
    return { rows: n, throughId: through.id, throughSeq: through.seq, auditRowId: written.id };
  });
  const checkpoint = await checkpointAuditChain(db, { dir: options.checkpointDir, key });
  return { ...purged, checkpoint: checkpoint?.file ?? null };
}
