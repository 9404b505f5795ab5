import { sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { outer } from "@/db/rows";
import { entitlements, grantIsActive, grants, identities } from "@/db/schema";

/**
 * Per-identity SQL used by every list of identities, so the inventory, the
 * attestation list and the orphan list count the same way. Queries using
 * isOrphan must left-join `owner` on identities.owner_id.
 */
export const owner = alias(identities, "owner");

/** Active NHI whose owner is missing or no longer active. */
export const isOrphan = sql<boolean>`(${identities.kind} <> 'human' and ${identities.status} = 'active' and (${identities.ownerId} is null or ${owner.status} is distinct from 'active'))`;

/**
 * isOrphan as a filter (no join needed): the owner among the few identities
 * that are not active, found first. The partial indexes of active NHIs by
 * owner and of identities not active answer it without reading every NHI.
 */
export const orphanFilter = sql<boolean>`(${identities.kind} <> 'human' and ${identities.status} = 'active'
  and (${identities.ownerId} is null or ${identities.ownerId} = any(array(select p.id from ${identities} p where p.status <> 'active'))))`;

/**
 * Its negation, for the rows that are not orphans (most of them): the owner
 * looked up per row, since the array above, compared linearly, would be read
 * once per row as identities not active accumulate.
 */
export const notOrphanFilter = sql<boolean>`not (${identities.kind} <> 'human' and ${identities.status} = 'active'
  and (${identities.ownerId} is null or exists (select 1 from ${identities} p where p.id = ${identities.ownerId} and p.status <> 'active')))`;

const privilegedActiveGrants = sql`from ${grants} join ${entitlements} on ${entitlements.id} = ${grants.entitlementId}
  where ${grants.identityId} = ${identities.id} and ${entitlements.privilegeLevel} in ('privileged', 'admin') and ${grantIsActive}`;

/** Holds privileged or admin access that is always on (a standing grant, live now): what the dashboard's standing tile counts. */
export const holdsStandingPrivilege = sql<boolean>`exists (select 1 ${privilegedActiveGrants} and ${grants.type} = 'standing')`;

export const privilegedGrantCount = sql<number>`(select count(*) ${privilegedActiveGrants})`.mapWith(Number);
export const holdsPrivilege = sql<boolean>`exists (select 1 ${privilegedActiveGrants})`;
export const activeGrantCount = sql<number>`(select count(*) from ${grants} where ${grants.identityId} = ${outer(identities.id)} and ${grantIsActive})`.mapWith(
  Number,
);
