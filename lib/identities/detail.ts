import { and, desc, eq, inArray, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Tx } from "@/db/client";
import {
  auditLog,
  credentials,
  entitlements,
  grantIsActive,
  grants,
  identities,
  roleAssignments,
  systems,
  teams,
  usageEventKey,
  usageEvents,
  usageRollups,
} from "@/db/schema";
import { decisionHistory } from "@/lib/grants/decisions";
import { NotFoundError } from "@/lib/errors";
import { visibleIdentities, hasRole, type Caller } from "@/lib/caller";

const owner = alias(identities, "owner");
const backupOwner = alias(identities, "backup_owner");
const manager = alias(identities, "manager");

const idSchema = z.uuid();

/** One identity the caller may see, or NotFoundError (also for a malformed id). */
export async function getVisibleIdentity(db: Tx, caller: Caller, id: string) {
  if (!idSchema.safeParse(id).success) throw new NotFoundError("Identity");
  const [row] = await db
    .select({
      identity: identities,
      systemName: systems.name,
      teamName: teams.name,
      owner: { id: owner.id, displayName: owner.displayName, status: owner.status },
      backupOwner: { id: backupOwner.id, displayName: backupOwner.displayName, status: backupOwner.status },
      manager: { id: manager.id, displayName: manager.displayName },
    })
    .from(identities)
    .leftJoin(systems, eq(systems.id, identities.systemId))
    .leftJoin(teams, eq(teams.id, identities.teamId))
    .leftJoin(owner, eq(owner.id, identities.ownerId))
    .leftJoin(backupOwner, eq(backupOwner.id, identities.backupOwnerId))
    .leftJoin(manager, eq(manager.id, identities.managerId))
    .where(and(eq(identities.id, id), visibleIdentities(caller)));
  if (!row) throw new NotFoundError("Identity");
  const i = row.identity;
  const orphaned = i.kind !== "human" && i.status === "active" && (!row.owner?.id || row.owner.status !== "active");
  return { ...row, orphaned };
}

/** Everything the identity page shows, read through the caller's visibility. */
export async function getIdentityDetail(db: Tx, caller: Caller, id: string) {
  const base = await getVisibleIdentity(db, caller, id);
  const [creds, grantRows, recentUsage, owned, reports, roleRows] = await Promise.all([
    db.select().from(credentials).where(eq(credentials.identityId, id)).orderBy(desc(credentials.issuedAt)),
    db
      .select({
        grant: grants,
        active: sql<boolean>`${grantIsActive}`,
        entitlementName: entitlements.name,
        privilegeLevel: entitlements.privilegeLevel,
        systemName: systems.name,
        lastUsedAt: usageRollups.lastUsedAt,
        successCount: usageRollups.successCount,
        deniedCount: usageRollups.deniedCount,
      })
      .from(grants)
      .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
      .innerJoin(systems, eq(systems.id, entitlements.systemId))
      .leftJoin(usageRollups, and(eq(usageRollups.identityId, grants.identityId), eq(usageRollups.entitlementId, grants.entitlementId)))
      .where(eq(grants.identityId, id))
      .orderBy(sql`${grants.revokedAt} is not null`, desc(entitlements.privilegeLevel), entitlements.name),
    db
      .select({
        id: usageEventKey,
        action: usageEvents.action,
        outcome: usageEvents.outcome,
        occurredAt: usageEvents.occurredAt,
        source: usageEvents.source,
        sessionId: usageEvents.sessionId,
        entitlementName: entitlements.name,
      })
      .from(usageEvents)
      .leftJoin(entitlements, eq(entitlements.id, usageEvents.entitlementId))
      .where(eq(usageEvents.identityId, id))
      .orderBy(desc(usageEvents.occurredAt))
      .limit(20),
    base.identity.kind === "human"
      ? db
          .select({ id: identities.id, name: identities.name, kind: identities.kind, status: identities.status })
          .from(identities)
          .where(and(or(eq(identities.ownerId, id), eq(identities.backupOwnerId, id)), visibleIdentities(caller)))
          .orderBy(identities.name)
          .limit(200)
      : Promise.resolve([]),
    base.identity.kind === "human"
      ? db
          .select({ id: identities.id, displayName: identities.displayName, title: identities.title })
          .from(identities)
          .where(eq(identities.managerId, id))
          .orderBy(identities.displayName)
      : Promise.resolve([]),
    db.select({ role: roleAssignments.role }).from(roleAssignments).where(eq(roleAssignments.identityId, id)),
  ]);
  const entityIds = [id, ...grantRows.map((g) => g.grant.id), ...creds.map((c) => c.id)];
  const decisions = await decisionHistory(
    db,
    grantRows.map((g) => g.grant.id),
  );
  const history = await db
    .select()
    .from(auditLog)
    .where(and(inArray(auditLog.entityType, ["identity", "grant", "credential", "role_assignment"]), inArray(auditLog.entityId, entityIds)))
    .orderBy(desc(auditLog.id))
    .limit(50);
  return {
    ...base,
    credentials: creds,
    grants: grantRows.map((g) => ({ ...g, decisions: decisions.get(g.grant.id) ?? [] })),
    recentUsage,
    ownedIdentities: owned,
    directReports: reports,
    roles: roleRows.map((r) => r.role),
    history,
    canEdit: canEditIdentity(caller, base.identity),
  };
}

export type IdentityDetail = Awaited<ReturnType<typeof getIdentityDetail>>;

/** Which fields the caller may change on this identity; empty when none. */
export function canEditIdentity(caller: Caller, identity: { kind: string; ownerId: string | null; backupOwnerId: string | null }) {
  if (hasRole(caller, "admin")) return identity.kind === "human" ? ["title", "managerId"] : ["purpose", "ownerId", "backupOwnerId", "nextAttestationAt"];
  const isOwner = identity.kind !== "human" && (identity.ownerId === caller.identityId || identity.backupOwnerId === caller.identityId);
  return isOwner ? ["purpose", "ownerId", "backupOwnerId"] : [];
}

/**
 * Effective access: the grants usable at this moment, computed from each
 * grant's window at read time (a JIT grant past its expiry is not here,
 * whether or not its expiry has been recorded yet).
 */
export async function getEffectiveAccess(db: Tx, caller: Caller, id: string) {
  await getVisibleIdentity(db, caller, id);
  const rows = await db
    .select({
      grantId: grants.id,
      type: grants.type,
      provenance: grants.provenance,
      entitlementId: entitlements.id,
      entitlementName: entitlements.name,
      privilegeLevel: entitlements.privilegeLevel,
      systemName: systems.name,
      startsAt: grants.startsAt,
      expiresAt: grants.expiresAt,
    })
    .from(grants)
    .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
    .innerJoin(systems, eq(systems.id, entitlements.systemId))
    .where(and(eq(grants.identityId, id), grantIsActive))
    .orderBy(systems.name, entitlements.name);
  return { identityId: id, at: new Date(), grants: rows };
}
