import { and, eq, or, sql, type SQL } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { attestations, credentials, credentialTasks, identities, roleAssignments, type Role, type TokenScope } from "@/db/schema";
import { ForbiddenError, UnauthenticatedError } from "@/lib/errors";
import type { Actor } from "@/lib/audit/record";

/**
 * Who is calling, resolved once per request and passed to every domain
 * function: a signed-in person, or an NHI presenting its API token (no roles,
 * only the token's scopes).
 */
export type Caller = {
  identityId: string;
  name: string;
  email: string | null;
  roles: ReadonlySet<Role>;
  token?: { id: string; name: string; scopes: ReadonlySet<TokenScope> };
  /** Where a person acted from when not the app itself (a chat button): the audit row says so. */
  via?: "Slack";
};

export function actorOf(caller: Caller): Actor {
  const who = caller.email ?? caller.name;
  return { id: caller.identityId, label: caller.token ? `${who} (token ${caller.token.name})` : caller.via ? `${who} (via ${caller.via})` : who };
}

/** A token caller must hold the scope; a signed-in person is governed by roles instead. */
export function requireScope(caller: Caller | null, scope: TokenScope): Caller {
  if (!caller) throw new UnauthenticatedError();
  if (caller.token && !caller.token.scopes.has(scope)) throw new ForbiddenError(`This token lacks the ${scope} scope.`);
  return caller;
}

export const hasRole = (caller: Caller, ...wanted: Role[]) => wanted.some((r) => caller.roles.has(r));

export function requireRole(caller: Caller | null, ...wanted: Role[]): Caller {
  if (!caller) throw new UnauthenticatedError();
  if (!hasRole(caller, ...wanted)) throw new ForbiddenError();
  return caller;
}

/**
 * Roles that only read. Someone whose every role is one of these (an auditor)
 * is never routed a decision and may make none, even where a relation (a
 * manager, an owner) would otherwise make them the one to decide. People with
 * no role at all still decide what is theirs to decide.
 */
export const READ_ONLY_ROLES: readonly Role[] = ["auditor"];

export const isReadOnly = (caller: Caller) => !caller.token && caller.roles.size > 0 && [...caller.roles].every((r) => READ_ONLY_ROLES.includes(r));

/** Every decision path (review, approval, attestation, sign-off) refuses read-only callers. */
export function requireDecider(caller: Caller): Caller {
  if (isReadOnly(caller)) throw new ForbiddenError(`Your role is read-only (${[...caller.roles].join(", ")}): you can see this, not decide it.`);
  return caller;
}

/** SQL: the person with this id holds only read-only roles (the same rule as isReadOnly, for routing). */
export const readOnlyPerson = (id: SQL) => sql<boolean>`(exists (select 1 from ${roleAssignments} ro where ro.identity_id = ${id})
  and not exists (select 1 from ${roleAssignments} ro where ro.identity_id = ${id} and not (ro.role::text = any(${sql.raw(`array[${READ_ONLY_ROLES.map((r) => `'${r}'`).join(", ")}]`)}))))`;

/** An active person who may be routed decisions (not read-only). */
export async function isDecider(tx: Tx, identityId: string | null): Promise<boolean> {
  if (!identityId) return false;
  const [row] = await tx
    .select({ id: identities.id })
    .from(identities)
    .where(
      and(eq(identities.id, identityId), eq(identities.kind, "human"), eq(identities.status, "active"), sql`not ${readOnlyPerson(sql`${identities.id}`)}`),
    );
  return !!row;
}

/** Roles that read the whole inventory. Everyone else sees their own corner of it. */
export const INVENTORY_READERS: Role[] = ["admin", "auditor", "reviewer", "approver"];

/**
 * Identities the caller may see: everything for inventory readers; otherwise
 * themselves, their direct reports, the NHIs they own or back up, and NHIs
 * whose overdue attestation or credential task is theirs or was escalated to them.
 */
export function visibleIdentities(caller: Caller): SQL | undefined {
  if (hasRole(caller, ...INVENTORY_READERS)) return undefined;
  return or(
    eq(identities.id, caller.identityId),
    eq(identities.managerId, caller.identityId),
    eq(identities.ownerId, caller.identityId),
    eq(identities.backupOwnerId, caller.identityId),
    sql`exists (select 1 from ${attestations} where ${attestations.identityId} = ${identities.id}
      and ${attestations.escalatedToId} = ${caller.identityId} and ${attestations.status} in ('pending', 'escalated'))`,
    sql`exists (select 1 from ${credentialTasks} ct join ${credentials} cr on cr.id = ct.credential_id where cr.identity_id = ${identities.id}
      and ct.status = 'open' and (ct.assignee_id = ${caller.identityId} or ct.escalated_to_id = ${caller.identityId}))`,
  );
}

/** What a caller is resolved from: their identity and database roles, in one round trip. */
export const callerColumns = {
  id: identities.id,
  kind: identities.kind,
  name: identities.displayName,
  email: identities.email,
  status: identities.status,
  assigned: sql<Role[]>`coalesce((select array_agg(ra.role::text order by ra.role) from ${roleAssignments} ra where ra.identity_id = ${identities.id}), '{}')`,
};

type CallerRow = { id: string; kind: string; name: string; email: string | null; status: string; assigned: Role[] };

/**
 * The caller for a loaded identity. Roles named by the identity provider
 * (claimRoles) win; without them the database assignments apply. Only active
 * people are callers.
 */
export function callerFromRow(row: CallerRow | undefined, claimRoles?: Role[] | null): Caller | null {
  if (!row || row.kind !== "human" || row.status !== "active") return null;
  const roleList = claimRoles && claimRoles.length > 0 ? claimRoles : row.assigned;
  return { identityId: row.id, name: row.name, email: row.email, roles: new Set(roleList) };
}

/**
 * Loads a person as a caller with fresh roles; null when they are no longer
 * active. Sign-in sessions go through callerForSession (sessions.ts), which
 * checks the session record too.
 */
export async function resolveCaller(db: Tx, identityId: string, claimRoles?: Role[] | null): Promise<Caller | null> {
  const [row] = await db.select(callerColumns).from(identities).where(eq(identities.id, identityId));
  return callerFromRow(row, claimRoles);
}

export async function findHumanByEmail(db: Tx, email: string) {
  const [row] = await db
    .select({ id: identities.id, status: identities.status })
    .from(identities)
    .where(and(eq(identities.kind, "human"), sql`lower(${identities.email}) = ${email.toLowerCase()}`));
  return row ?? null;
}
