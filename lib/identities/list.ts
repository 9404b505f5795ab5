import { and, asc, count, desc, eq, ilike, inArray, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "@/db/client";
import { identities, identityEscalations, identityKinds, identityPrivilegeLevel, identityStatuses, privilegeLevels, systems } from "@/db/schema";
import { parseInput, withoutBlanks } from "@/lib/errors";
import { visibleIdentities, type Caller } from "@/lib/caller";
import { inPageOrder, likePattern, offsetOf, pageFields, paged } from "@/lib/paging";
import { holdsStandingPrivilege, isOrphan, notOrphanFilter, orphanFilter, owner, privilegedGrantCount } from "./figures";
import { text } from "@/lib/validation/fields";

const flag = z.enum(["true", "false", "1", "0", "yes", "no"], { message: "Use true or false." }).transform((v) => v === "true" || v === "1" || v === "yes");

export const identityListQuery = z.object({
  q: text().trim().max(200, "Search is limited to 200 characters.").optional(),
  kind: z.enum(identityKinds, { message: `Kind must be one of: ${identityKinds.join(", ")}.` }).optional(),
  status: z.enum(identityStatuses, { message: `Status must be one of: ${identityStatuses.join(", ")}.` }).optional(),
  systemId: z.uuid("System must be a system id.").optional(),
  ownerId: z.uuid("Owner must be an identity id.").optional(),
  backupOwnerId: z.uuid("Backup owner must be an identity id.").optional(),
  orphaned: flag.optional(),
  privileged: flag.optional(),
  standing: flag.optional(),
  level: z.enum([...privilegeLevels, "reaches_admin"], { message: "Level must be admin, privileged, standard or reaches_admin." }).optional(),
  sort: z.enum(["name", "kind", "next_attestation", "last_used"], { message: "Sort by name, kind, next_attestation or last_used." }).default("name"),
  ...pageFields,
});
export type IdentityListQuery = z.input<typeof identityListQuery>;

/**
 * The identity's own level: the escalation analysis's verdict for analysed cloud
 * identities (one that can escalate to administrator is admin; one holding
 * only read-only policies is standard), else its highest active entitlement.
 */
const level = identityPrivilegeLevel(sql`${identities.id}`);
/** Analysed identities that hold administrator access or can reach it, under conditions or not. */
const reachesAdmin = sql`exists (select 1 from ${identityEscalations} ie where ie.identity_id = ${identities.id} and ie.reaches_admin)`;

// Case-insensitive, so SNOWFLAKE_ROLE sorts beside snowflake-reader (indexed).
const byName = sql`lower(${identities.name})`;

/**
 * The inventory, filtered and paginated in the database. The page's ids are
 * found first; per-row figures are computed for those rows only, never for
 * the rows an offset skips.
 */
export async function listIdentities(db: Tx, caller: Caller, rawQuery: unknown) {
  const query = parseInput(identityListQuery, withoutBlanks(rawQuery));
  const where: (SQL | undefined)[] = [visibleIdentities(caller)];
  if (query.kind) where.push(eq(identities.kind, query.kind));
  if (query.status) where.push(eq(identities.status, query.status));
  if (query.systemId) where.push(eq(identities.systemId, query.systemId));
  // The owner is the owner: an identity someone only backs up is theirs through backupOwnerId.
  if (query.ownerId) where.push(eq(identities.ownerId, query.ownerId));
  if (query.backupOwnerId) where.push(eq(identities.backupOwnerId, query.backupOwnerId));
  if (query.orphaned !== undefined) where.push(query.orphaned ? orphanFilter : notOrphanFilter);
  if (query.privileged !== undefined)
    where.push(query.privileged ? sql`${level} in ('privileged', 'admin')` : sql`coalesce(${level}, 'standard') = 'standard'`);
  if (query.standing !== undefined) where.push(query.standing ? holdsStandingPrivilege : sql`not ${holdsStandingPrivilege}`);
  if (query.level === "reaches_admin") where.push(reachesAdmin);
  else if (query.level) where.push(sql`${level} = ${query.level}`);
  if (query.q) {
    const like = likePattern(query.q);
    where.push(or(ilike(identities.name, like), ilike(identities.displayName, like), ilike(identities.email, like), ilike(identities.externalId, like)));
  }
  const filter = and(...where);
  const order = {
    name: [byName],
    kind: [asc(identities.kind), byName],
    next_attestation: [sql`${identities.nextAttestationAt} asc nulls last`, byName],
    last_used: [sql`${identities.lastUsedAt} desc nulls last`, byName],
  }[query.sort];

  const [pageIds, [{ total }]] = await Promise.all([
    db
      .select({ id: identities.id })
      .from(identities)
      .where(filter)
      .orderBy(...order, desc(identities.id))
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    db.select({ total: count() }).from(identities).where(filter),
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
            displayName: identities.displayName,
            status: identities.status,
            systemId: identities.systemId,
            systemName: systems.name,
            ownerId: identities.ownerId,
            ownerName: owner.displayName,
            nextAttestationAt: identities.nextAttestationAt,
            lastUsedAt: identities.lastUsedAt,
            orphaned: isOrphan,
            privilegedGrants: privilegedGrantCount,
            privilegeLevel: level,
          })
          .from(identities)
          .leftJoin(systems, eq(systems.id, identities.systemId))
          .leftJoin(owner, eq(owner.id, identities.ownerId))
          .where(inArray(identities.id, ids));
  return paged(inPageOrder(ids, details), total, query);
}

export type IdentityListResult = Awaited<ReturnType<typeof listIdentities>>;
export type IdentityRow = IdentityListResult["rows"][number];

export async function listSystems(db: Tx) {
  return db.select({ id: systems.id, name: systems.name, kind: systems.kind }).from(systems).orderBy(asc(systems.name));
}

/** The people directory, for choosing owners and managers. Names only. */
export async function listActivePeople(db: Tx) {
  return db
    .select({ id: identities.id, displayName: identities.displayName })
    .from(identities)
    .where(and(eq(identities.kind, "human"), eq(identities.status, "active")))
    .orderBy(asc(identities.displayName));
}
