import { and, count, desc, eq, gte, ilike, lt, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "@/db/client";
import { auditLog } from "@/db/schema";
import { requireRole, type Caller } from "@/lib/caller";
import { parseInput, withoutBlanks } from "@/lib/errors";
import { likePattern, offsetOf, pageFields, paged } from "@/lib/paging";
import { dateTime, text } from "@/lib/validation/fields";

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

/** The audit trail, newest first. Admins and auditors only. */
export async function listAudit(db: Tx, caller: Caller, raw: unknown) {
  requireRole(caller, "admin", "auditor");
  const q = parseInput(auditQuery, withoutBlanks(raw));
  const where: (SQL | undefined)[] = [];
  if (q.action) where.push(ilike(auditLog.action, likePattern(q.action, { prefix: true })));
  if (q.entityType) where.push(eq(auditLog.entityType, q.entityType));
  if (q.entityId) where.push(eq(auditLog.entityId, q.entityId));
  if (q.actor) where.push(ilike(auditLog.actorLabel, likePattern(q.actor)));
  if (q.from) where.push(gte(auditLog.occurredAt, q.from));
  if (q.to) where.push(lt(auditLog.occurredAt, q.to));
  const filter = and(...where);
  const [rows, [{ total }]] = await Promise.all([
    db.select().from(auditLog).where(filter).orderBy(desc(auditLog.id)).limit(q.pageSize).offset(offsetOf(q)),
    db.select({ total: count() }).from(auditLog).where(filter),
  ]);
  return paged(rows, total, q);
}
