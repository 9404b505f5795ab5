import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { identities, roleAssignments, roles } from "@/db/schema";
import { auditedTransaction, recordAudit } from "@/lib/audit/record";
import { ConflictError, NotFoundError, parseInput } from "@/lib/errors";
import { READ_ONLY_ROLES, actorOf, requireRole, type Caller } from "@/lib/caller";
import { revokeSessionsOf } from "./sessions";
import { handOffOpenReviews } from "@/lib/certification/hand-off";

// Strict: the body is the whole change, so an unknown field is a mistake to report, not to ignore.
export const roleChange = z
  .object({
    roles: z.array(z.enum(roles, { message: `Roles are: ${roles.join(", ")}.` }), { message: "roles must be a list of roles." }).max(roles.length),
  })
  .strict();

export async function listRoleAssignments(db: Tx, caller: Caller) {
  requireRole(caller, "admin", "auditor");
  return db
    .select({ identityId: identities.id, displayName: identities.displayName, email: identities.email, title: identities.title, role: roleAssignments.role })
    .from(roleAssignments)
    .innerJoin(identities, eq(identities.id, roleAssignments.identityId))
    .orderBy(identities.displayName, roleAssignments.role);
}

/**
 * Replaces a person's roles. Admins only; nobody removes their own admin role.
 * Roles are read afresh on every request, so a removed role stops working at
 * once anyway; removing one also ends the person's sessions, so pages and
 * forms opened with the old powers go too and they sign in again to the new ones.
 */
export async function setRoles(db: Db, caller: Caller, identityId: string, rawInput: unknown) {
  requireRole(caller, "admin");
  const input = parseInput(roleChange, rawInput);
  const wanted = [...new Set(input.roles)].sort();
  const parsedId = z.uuid().safeParse(identityId);
  if (!parsedId.success) throw new NotFoundError("Person");
  const [person] = await db
    .select({ id: identities.id, status: identities.status })
    .from(identities)
    .where(and(eq(identities.id, identityId), eq(identities.kind, "human")));
  if (!person) throw new NotFoundError("Person");
  if (person.status !== "active") throw new ConflictError("Only active people can hold roles.");
  if (identityId === caller.identityId && !wanted.includes("admin")) {
    throw new ConflictError("You cannot remove your own admin role; ask another admin.");
  }
  return auditedTransaction(db, async (tx) => {
    const before = (await tx.select({ role: roleAssignments.role }).from(roleAssignments).where(eq(roleAssignments.identityId, identityId)))
      .map((r) => r.role)
      .sort();
    if (before.join() === wanted.join()) return wanted;
    await tx.delete(roleAssignments).where(eq(roleAssignments.identityId, identityId));
    if (wanted.length > 0) {
      await tx.insert(roleAssignments).values(wanted.map((role) => ({ identityId, role, grantedById: caller.identityId })));
    }
    await recordAudit(tx, actorOf(caller), {
      action: "roles.changed",
      entityType: "role_assignment",
      entityId: identityId,
      before: { roles: before },
      after: { roles: wanted },
    });
    const removed = before.filter((r) => !wanted.includes(r));
    if (removed.length) await revokeSessionsOf(tx, actorOf(caller), identityId, `role${removed.length > 1 ? "s" : ""} removed: ${removed.join(", ")}`);
    // Someone left with only read-only roles may no longer decide: their open review items move on.
    if (wanted.length > 0 && wanted.every((r) => READ_ONLY_ROLES.includes(r)))
      await handOffOpenReviews(tx, actorOf(caller), identityId, "the reviewer's role is now read-only");
    return wanted;
  });
}
