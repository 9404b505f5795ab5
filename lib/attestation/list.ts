import { and, count, eq, ilike, inArray, isNull, lt, ne, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Tx } from "@/db/client";
import { attestations, identities, nonHumanKinds, systems } from "@/db/schema";
import { hasRole, type Caller } from "@/lib/caller";
import { ForbiddenError, parseInput, withoutBlanks } from "@/lib/errors";
import { activeGrantCount, isOrphan, owner, privilegedGrantCount } from "@/lib/identities/figures";
import { inPageOrder, likePattern, offsetOf, pageFields, paged } from "@/lib/paging";
import { DUE_SOON_DAYS, isOpenAttestation } from "./policy";
import { text } from "@/lib/validation/fields";

export const dueFilters = ["due", "overdue", "all"] as const;

export const myAttestationsQuery = z.object({
  due: z.enum(dueFilters, { message: "Show due, overdue or all." }).default("due"),
  kind: z.enum(nonHumanKinds as [string, ...string[]], { message: `Kind must be one of: ${nonHumanKinds.join(", ")}.` }).optional(),
  q: text().trim().max(200, "Search is limited to 200 characters.").optional(),
  scope: z.enum(["mine", "all"], { message: "Scope is mine or all." }).default("mine"),
  ...pageFields,
});
export type MyAttestationsQuery = z.input<typeof myAttestationsQuery>;

const backupOwner = alias(identities, "backup_owner");
const escalatedTo = alias(identities, "escalated_to");
const open = alias(attestations, "open_attestation");

// At most one request is open per NHI: escalation only opens one when none is,
// and attesting closes it. The join therefore never multiplies rows.
const openJoin = and(eq(open.identityId, identities.id), inArray(open.status, ["pending", "escalated"]));

const isOverdue = sql<boolean>`coalesce(${identities.nextAttestationAt} < now(), false)`;
const isDue = sql<boolean>`(${identities.nextAttestationAt} is null or ${identities.nextAttestationAt} < now() + make_interval(days => ${DUE_SOON_DAYS}))`;

/**
 * NHIs the caller answers for: those they own or back up, those whose overdue
 * attestation was escalated to them, and for admins those escalated to the
 * admins. With scope "all", admins and auditors see every NHI.
 */
function responsibleFor(caller: Caller, scope: "mine" | "all"): SQL | undefined {
  if (scope === "all") {
    if (!hasRole(caller, "admin", "auditor")) throw new ForbiddenError("Only admins and auditors can list every identity's attestation.");
    return undefined;
  }
  const escalated = [eq(attestations.escalatedToId, caller.identityId)];
  if (hasRole(caller, "admin")) escalated.push(and(eq(attestations.escalationLevel, 2), isNull(attestations.escalatedToId))!);
  return or(
    eq(identities.ownerId, caller.identityId),
    eq(identities.backupOwnerId, caller.identityId),
    inArray(identities.id, withOpenRequest(or(...escalated)!)),
  );
}

/** Ids of NHIs with an open attestation request matching `where`. */
function withOpenRequest(where: SQL) {
  return sql`(select ${attestations.identityId} from ${attestations} where ${isOpenAttestation} and ${where})`;
}

/** How the caller stands to a row, computed in SQL so the page needs no second pass. */
function relationTo(caller: Caller) {
  const me = caller.identityId;
  const admin = hasRole(caller, "admin");
  return sql<"owner" | "backup" | "escalated" | "admin" | null>`case
    when ${identities.ownerId} = ${me} then 'owner'
    when ${identities.backupOwnerId} = ${me} then 'backup'
    when ${open.escalatedToId} = ${me} then 'escalated'
    when ${sql.raw(admin ? "true" : "false")} then 'admin'
    else null end`;
}

/**
 * "My non-human identities": what the caller must attest and when, with the
 * figures that matter when deciding (grants, privileged grants, orphaned).
 * Paginated in the database: the page's ids first, then figures for those only.
 */
export async function listMyAttestations(db: Tx, caller: Caller, rawQuery: unknown) {
  const query = parseInput(myAttestationsQuery, withoutBlanks(rawQuery));
  const base: (SQL | undefined)[] = [ne(identities.kind, "human"), ne(identities.status, "decommissioned"), responsibleFor(caller, query.scope)];
  if (query.kind) base.push(eq(identities.kind, query.kind as (typeof nonHumanKinds)[number]));
  if (query.q) {
    const like = likePattern(query.q);
    base.push(or(ilike(identities.name, like), ilike(identities.displayName, like), ilike(identities.externalId, like), ilike(identities.purpose, like)));
  }
  const dueFilter = { due: isDue, overdue: lt(identities.nextAttestationAt, sql`now()`), all: undefined }[query.due];
  const filter = and(...base, dueFilter);

  const [pageIds, [counts]] = await Promise.all([
    db
      .select({ id: identities.id })
      .from(identities)
      .where(filter)
      .orderBy(sql`${identities.nextAttestationAt} asc nulls first`, sql`lower(${identities.name})`, identities.id)
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    db
      .select({
        all: count(),
        due: sql<number>`count(*) filter (where ${isDue})`.mapWith(Number),
        overdue: sql<number>`count(*) filter (where ${isOverdue})`.mapWith(Number),
      })
      .from(identities)
      .where(and(...base)),
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
            systemName: systems.name,
            purpose: identities.purpose,
            ownerId: identities.ownerId,
            ownerName: owner.displayName,
            ownerStatus: owner.status,
            backupOwnerId: identities.backupOwnerId,
            backupOwnerName: backupOwner.displayName,
            backupOwnerStatus: backupOwner.status,
            nextAttestationAt: identities.nextAttestationAt,
            lastAttestedAt: identities.lastAttestedAt,
            overdue: isOverdue,
            orphaned: isOrphan,
            activeGrants: activeGrantCount,
            privilegedGrants: privilegedGrantCount,
            escalationLevel: open.escalationLevel,
            escalatedToName: escalatedTo.displayName,
            relation: relationTo(caller),
          })
          .from(identities)
          .leftJoin(systems, eq(systems.id, identities.systemId))
          .leftJoin(owner, eq(owner.id, identities.ownerId))
          .leftJoin(backupOwner, eq(backupOwner.id, identities.backupOwnerId))
          .leftJoin(open, openJoin)
          .leftJoin(escalatedTo, eq(escalatedTo.id, open.escalatedToId))
          .where(inArray(identities.id, ids));
  const rows = inPageOrder(ids, details).map((d) => ({ ...d, escalationLevel: d.escalationLevel ?? 0, canAttest: d.relation !== null }));
  const total = counts[query.due];
  return { ...paged(rows, total, query), counts, due: query.due, scope: query.scope };
}

export type MyAttestationsResult = Awaited<ReturnType<typeof listMyAttestations>>;
export type MyAttestationRow = MyAttestationsResult["rows"][number];
