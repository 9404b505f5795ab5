import { and, asc, count, eq, sql } from "drizzle-orm";
import { type PgSelect } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Tx } from "@/db/client";
import { entitlements, grantIsActive, grants, identities, jitRequests, systems } from "@/db/schema";
import { hasRole, type Caller } from "@/lib/caller";
import { parseInput, withoutBlanks } from "@/lib/errors";
import { likePattern, offsetOf, pageFields, paged } from "@/lib/paging";
import { REQUEST_OVERSEERS } from "./access";
import { text } from "@/lib/validation/fields";

export const activeQuery = z.object({
  q: text().trim().max(200, "Keep the search under 200 characters.").optional(),
  identityId: z.uuid("The identity must be an id.").optional(),
  ...pageFields,
});

/**
 * Just-in-time grants usable right now, soonest to expire first. Computed
 * from each grant's window at read time, so an elevation past its end is
 * gone from this list the moment it expires, whether or not the expiry job
 * has run. Overseers see all; anyone else their own.
 */
export async function listActiveElevations(db: Tx, caller: Caller, raw: unknown) {
  const q = parseInput(activeQuery, withoutBlanks(raw));
  const where = and(
    eq(grants.type, "jit"),
    grantIsActive,
    hasRole(caller, ...REQUEST_OVERSEERS) && !caller.token ? undefined : eq(grants.identityId, caller.identityId),
    q.identityId ? eq(grants.identityId, q.identityId) : undefined,
    q.q ? sql`(${identities.displayName} ilike ${likePattern(q.q)} or ${entitlements.name} ilike ${likePattern(q.q)})` : undefined,
  );
  const joined = <T extends PgSelect>(qb: T) =>
    qb
      .innerJoin(identities, eq(identities.id, grants.identityId))
      .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
      .innerJoin(systems, eq(systems.id, entitlements.systemId))
      .leftJoin(jitRequests, eq(jitRequests.grantId, grants.id))
      .where(where);
  const [rows, [{ n }]] = await Promise.all([
    joined(
      db
        .select({
          grantId: grants.id,
          requestId: jitRequests.id,
          identityId: grants.identityId,
          identityName: identities.displayName,
          identityKind: identities.kind,
          entitlementName: entitlements.name,
          privilegeLevel: entitlements.privilegeLevel,
          systemName: systems.name,
          startsAt: grants.startsAt,
          expiresAt: grants.expiresAt,
          breakGlass: sql<boolean>`coalesce(${jitRequests.breakGlass}, false)`,
        })
        .from(grants)
        .$dynamic(),
    )
      .orderBy(asc(grants.expiresAt), asc(grants.id))
      .limit(q.pageSize)
      .offset(offsetOf(q)),
    joined(db.select({ n: count() }).from(grants).$dynamic()),
  ]);
  return paged(rows, n, q);
}
