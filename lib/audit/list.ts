import { and, asc, count, desc, eq, gt, gte, ilike, lt, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "@/db/client";
import { auditLog } from "@/db/schema";
import { requireRole, type Caller } from "@/lib/caller";
import { parseInput, withoutBlanks } from "@/lib/errors";
import { likePattern, offsetOf, pageFields, paged } from "@/lib/paging";
import { dateTime, text } from "@/lib/validation/fields";
import { streamRows, type ExportFormat } from "@/lib/exports/stream";
import { entityNames } from "./names";
import { verifyAuditLog } from "./verify";

export const auditQuery = z
  .object({
    action: text().trim().max(100).optional(),
    entityType: text().trim().max(50).optional(),
    entityId: text().trim().max(100).optional(),
    actor: text().trim().max(200).optional(),
    from: dateTime("From").optional(),
    to: dateTime("To").optional(),
    ...pageFields,
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: "From must be before To.", path: ["to"] });

function whereOf(q: z.output<typeof auditQuery>) {
  const where: (SQL | undefined)[] = [];
  if (q.action) where.push(ilike(auditLog.action, likePattern(q.action, { prefix: true })));
  if (q.entityType) where.push(eq(auditLog.entityType, q.entityType));
  if (q.entityId) where.push(eq(auditLog.entityId, q.entityId));
  if (q.actor) where.push(ilike(auditLog.actorLabel, likePattern(q.actor)));
  if (q.from) where.push(gte(auditLog.occurredAt, q.from));
  if (q.to) where.push(lt(auditLog.occurredAt, q.to));
  return and(...where);
}

/** The audit trail, newest first, each row with its entity's name where it has one. Admins and auditors only. */
export async function listAudit(db: Tx, caller: Caller, raw: unknown) {
  requireRole(caller, "admin", "auditor");
  const q = parseInput(auditQuery, withoutBlanks(raw));
  const filter = whereOf(q);
  const [rows, [{ total }]] = await Promise.all([
    db.select().from(auditLog).where(filter).orderBy(desc(auditLog.id)).limit(q.pageSize).offset(offsetOf(q)),
    db.select({ total: count() }).from(auditLog).where(filter),
  ]);
  const names = await entityNames(db, rows);
  return paged(
    rows.map((r) => ({ ...r, entityName: names.get(`${r.entityType}:${r.entityId}`) ?? null })),
    total,
    q,
  );
}

const exportColumns = [
  "id",
  "seq",
  "occurredAt",
  "actorId",
  "actorLabel",
  "action",
  "entityType",
  "entityId",
  "entityName",
  "before",
  "after",
  "prevHash",
  "hash",
  "keyId",
] as const;

/**
 * The audit rows an auditor takes away (the filters of the page, oldest
 * first), with the chain's verification made at the moment of export: in the
 * JSON's header, and in CSV as the file's first rows (a "verification" block,
 * a blank row, then the table). Each row keeps its hashes and key id, so the
 * chain can be checked again outside the product.
 */
export async function exportAudit(db: Tx, caller: Caller, raw: unknown, format: ExportFormat) {
  requireRole(caller, "admin", "auditor");
  const q = parseInput(auditQuery, withoutBlanks(raw));
  const filter = whereOf(q);
  const verification = await verifyAuditLog(db, caller);
  const summary = {
    ok: verification.ok,
    checked: verification.checked,
    head: verification.head,
    problems: verification.problems.length + verification.omittedProblems,
    lastGoodCheckpoint: verification.checkpoints.lastGood,
    verifiedAt: new Date(),
  };
  const batchSize = 2000;
  return streamRows({
    format,
    filename: `audit-${new Date().toISOString().slice(0, 10)}`,
    columns: exportColumns,
    header: {
      key: "export",
      value: { exportedAt: new Date(), filters: { ...q, page: undefined, pageSize: undefined }, verification: { ...summary, problems: verification.problems } },
    },
    preface: [
      ["verification", "ok", "rowsChecked", "headId", "headSeq", "problems", "verifiedAt"],
      [
        "chain",
        summary.ok ? "yes" : "NO",
        summary.checked,
        summary.head?.id ?? "",
        summary.head?.seq ?? "",
        summary.problems,
        summary.verifiedAt.toISOString(),
      ],
      [],
    ],
    rowsKey: "rows",
    batchSize,
    next: async (after) => {
      const rows = await db
        .select()
        .from(auditLog)
        .where(and(filter, after ? gt(auditLog.id, Number(after)) : undefined))
        .orderBy(asc(auditLog.id))
        .limit(batchSize);
      const names = await entityNames(db, rows);
      return rows.map((r) => {
        const row = { ...r, entityName: names.get(`${r.entityType}:${r.entityId}`) ?? null };
        return format === "csv"
          ? { ...row, before: r.before == null ? null : JSON.stringify(r.before), after: r.after == null ? null : JSON.stringify(r.after) }
          : row;
      });
    },
    cursorOf: (r) => String(r.id),
  });
}
