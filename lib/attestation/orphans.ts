import { and, count, eq, ilike, inArray, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { outer } from "@/db/rows";
import { attestations, identities, nonHumanKinds, systems } from "@/db/schema";
import { auditedTransaction, diff, recordAudit } from "@/lib/audit/record";
import { actorOf, requireDecider, hasRole, requireRole, type Caller } from "@/lib/caller";
import { ConflictError, ForbiddenError, ValidationError, parseInput, withoutBlanks } from "@/lib/errors";
import { activeGrantCount, holdsPrivilege, isOrphan, owner, privilegedGrantCount } from "@/lib/identities/figures";
import { inPageOrder, likePattern, offsetOf, pageFields, paged } from "@/lib/paging";
import { assertLiveNhi, assertVisible, loadNhiForChange, optionalPersonId, ownerErrors } from "./policy";
import { text } from "@/lib/validation/fields";

export const orphanQuery = z.object({
  q: text().trim().max(200, "Search is limited to 200 characters.").optional(),
  kind: z.enum(nonHumanKinds as [string, ...string[]], { message: `Kind must be one of: ${nonHumanKinds.join(", ")}.` }).optional(),
  systemId: z.uuid("System must be a system id.").optional(),
  ...pageFields,
});
export type OrphanQuery = z.input<typeof orphanQuery>;

const backupOwner = alias(identities, "backup_owner");

/**
 * Active NHIs nobody answers for: no owner, or an owner who is disabled or has
 * left. Those holding privileged access come first. Admins and auditors only.
 */
export async function listOrphans(db: Tx, caller: Caller, rawQuery: unknown) {
  requireRole(caller, "admin", "auditor");
  const query = parseInput(orphanQuery, withoutBlanks(rawQuery));
  // Orphans, and NHIs re-homed when their owner left until the new owner attests them.
  const where: (SQL | undefined)[] = [or(isOrphan, sql`(${identities.rehomedAt} is not null and ${identities.status} = 'active')`)];
  if (query.kind) where.push(eq(identities.kind, query.kind as (typeof nonHumanKinds)[number]));
  if (query.systemId) where.push(eq(identities.systemId, query.systemId));
  if (query.q) {
    const like = likePattern(query.q);
    where.push(or(ilike(identities.name, like), ilike(identities.externalId, like), ilike(identities.purpose, like), ilike(owner.displayName, like)));
  }
  const filter = and(...where);
  const [pageIds, [{ total }]] = await Promise.all([
    db
      .select({ id: identities.id })
      .from(identities)
      .leftJoin(owner, eq(owner.id, identities.ownerId))
      .where(filter)
      .orderBy(sql`${holdsPrivilege} desc`, sql`lower(${identities.name})`, identities.id)
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    db.select({ total: count() }).from(identities).leftJoin(owner, eq(owner.id, identities.ownerId)).where(filter),
  ]);
  const ids = pageIds.map((r) => r.id);
  const details =
    ids.length === 0
      ? []
      : await db
          .select({
            id: identities.id,
            kind: identities.kind,
            name: identities.name,
            systemName: systems.name,
            purpose: identities.purpose,
            formerOwnerId: identities.ownerId,
            formerOwnerName: owner.displayName,
            formerOwnerStatus: owner.status,
            backupOwnerId: identities.backupOwnerId,
            backupOwnerName: backupOwner.displayName,
            backupOwnerStatus: backupOwner.status,
            activeGrants: activeGrantCount,
            privilegedGrants: privilegedGrantCount,
            lastUsedAt: identities.lastUsedAt,
            nextAttestationAt: identities.nextAttestationAt,
            rehomedAt: identities.rehomedAt,
            rehomedFromName: sql<string | null>`(select p.display_name from identities p where p.id = ${outer(identities.rehomedFromId)})`,
          })
          .from(identities)
          .leftJoin(systems, eq(systems.id, identities.systemId))
          .leftJoin(owner, eq(owner.id, identities.ownerId))
          .leftJoin(backupOwner, eq(backupOwner.id, identities.backupOwnerId))
          .where(inArray(identities.id, ids));
  const canReassign = hasRole(caller, "admin");
  return paged(
    inPageOrder(ids, details).map((d) => ({ ...d, canReassign })),
    total,
    query,
  );
}

export type OrphanListResult = Awaited<ReturnType<typeof listOrphans>>;
export type OrphanRow = OrphanListResult["rows"][number];

export const reassignInput = z
  .object({
    ownerId: z.uuid({ message: "Choose the new owner from the directory." }),
    backupOwnerId: optionalPersonId("Backup owner"),
  })
  .strict();
export type ReassignInput = z.input<typeof reassignInput>;

/**
 * Gives an orphaned NHI a new accountable owner, whose first duty is to attest
 * it: the next attestation falls due now. Admins may reassign any orphan; its
 * backup owner may reassign that one. An open (possibly escalated) attestation
 * request moves to the new owner and starts over at the first level.
 */
export async function reassignOwner(db: Db, caller: Caller, identityId: string, rawInput: unknown) {
  requireDecider(caller);
  return auditedTransaction(db, async (tx) => {
    const { identity, open } = await loadNhiForChange(tx, identityId);
    const isBackup = identity.kind !== "human" && identity.backupOwnerId === caller.identityId;
    if (!hasRole(caller, "admin") && !isBackup) {
      await assertVisible(tx, caller, identityId);
      throw new ForbiddenError("Only an admin, or this identity's backup owner, may reassign its owner.");
    }
    assertLiveNhi(identity, "reassign");
    const formerOwner = await ownerStatus(tx, identity.ownerId);
    if (identity.status !== "active" || (formerOwner === "active" && !identity.rehomedAt)) {
      throw new ConflictError("This identity is not orphaned: its owner is active. Change the owner on the identity's page or when attesting it.");
    }
    const input = parseInput(reassignInput, rawInput);
    const next = { ownerId: input.ownerId, backupOwnerId: input.backupOwnerId !== undefined ? input.backupOwnerId : identity.backupOwnerId };
    const errors = await ownerErrors(tx, next);
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);

    const now = new Date();
    const change = { ...next, nextAttestationAt: now };
    const [updated] = await tx
      .update(identities)
      .set({ ...change, updatedAt: now })
      .where(eq(identities.id, identity.id))
      .returning();
    const d = diff(identity as Record<string, unknown>, change);
    const actor = actorOf(caller);
    await recordAudit(tx, actor, {
      action: "identity.owner_reassigned",
      entityType: "identity",
      entityId: identity.id,
      before: { ...d.before, formerOwnerStatus: formerOwner },
      after: d.after,
    });
    if (open) {
      const moved = { status: "pending" as const, ownerId: next.ownerId, dueAt: now, escalationLevel: 0, escalatedToId: null };
      await tx
        .update(attestations)
        .set({ ...moved, updatedAt: now })
        .where(eq(attestations.id, open.id));
      await recordAudit(tx, actor, {
        action: "attestation.reassigned",
        entityType: "attestation",
        entityId: open.id,
        before: { status: open.status, ownerId: open.ownerId, dueAt: open.dueAt, escalationLevel: open.escalationLevel, escalatedToId: open.escalatedToId },
        after: { ...moved, identityId: identity.id },
      });
    }
    return updated;
  });
}

/** "missing" when there is no owner row at all. */
async function ownerStatus(tx: Tx, ownerId: string | null) {
  if (!ownerId) return "missing";
  const [row] = await tx.select({ status: identities.status }).from(identities).where(eq(identities.id, ownerId));
  return row?.status ?? "missing";
}
