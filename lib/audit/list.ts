import { and, count, desc, eq, gte, ilike, lt, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "@/db/client";
import { auditLog } from "@/db/schema";
import { requireRole, type Caller } from "@/lib/auth/caller";
import { parseInput, withoutBlanks } from "@/lib/errors";

export const auditQuery = z
  .object({
    action: z.string().trim().max(100).optional(),
    entityType: z.string().trim().max(50).optional(),
    entityId: z.string().trim().max(100).optional(),
    actor: z.string().trim().max(200).optional(),
    from: z.coerce.date({ message: "From must be a date." }).optional(),
    to: z.coerce.date({ message: "To must be a date." }).optional(),
    page: z.coerce.number({ message: "Page must be a number." }).int().min(1, "Page starts at 1.").default(1),
    pageSize: z.coerce.number({ message: "Page size must be a number." }).int().min(1).max(200, "At most 200 rows a page.").default(50),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: "From must be before To.", path: ["to"] });

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The audit trail, newest first. Admins and auditors only. */
export async function listAudit(db: Tx, caller: Caller, raw: unknown) {
  requireRole(caller, "admin", "auditor");
  const q = parseInput(auditQuery, withoutBlanks(raw));
  const where: (SQL | undefined)[] = [];
  if (q.action) where.push(ilike(auditLog.action, `${escapeLike(q.action)}%`));
  if (q.entityType) where.push(eq(auditLog.entityType, q.entityType));
  if (q.entityId) where.push(eq(auditLog.entityId, q.entityId));
  if (q.actor) where.push(ilike(auditLog.actorLabel, `%${escapeLike(q.actor)}%`));
  if (q.from) where.push(gte(auditLog.occurredAt, q.from));
  if (q.to) where.push(lt(auditLog.occurredAt, q.to));
  const filter = and(...where);
  const [rows, [{ total }]] = await Promise.all([
    db.select().from(auditLog).where(filter).orderBy(desc(auditLog.id)).limit(q.pageSize).offset((q.page - 1) * q.pageSize),
    db.select({ total: count() }).from(auditLog).where(filter),
  ]);
  return { rows, total, page: q.page, pageSize: q.pageSize, pageCount: Math.max(1, Math.ceil(total / q.pageSize)) };
}
