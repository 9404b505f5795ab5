import { and, eq, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "@/db/client";
import { identities, jitRequests } from "@/db/schema";
import { hasRole, type Caller } from "@/lib/caller";
import { NotFoundError } from "@/lib/errors";

/** Roles that see every request: they approve, govern or audit elevation. */
export const REQUEST_OVERSEERS = ["admin", "auditor", "approver"] as const;

/**
 * Requests the caller may see: all for overseers; for an NHI token, its own;
 * for anyone else, what they asked for or received, what they may approve,
 * and the requests of NHIs they own.
 */
export function visibleRequests(caller: Caller): SQL | undefined {
  if (caller.token) return eq(jitRequests.identityId, caller.identityId);
  if (hasRole(caller, ...REQUEST_OVERSEERS)) return undefined;
  const me = caller.identityId;
  return or(
    eq(jitRequests.requesterId, me),
    eq(jitRequests.identityId, me),
    sql`${me}::uuid = any(${jitRequests.approverIds})`,
    sql`exists (select 1 from ${identities} ri where ri.id = ${jitRequests.identityId} and (ri.owner_id = ${me} or ri.backup_owner_id = ${me}))`,
  );
}

/** Locks one request the caller may see, or answers 404 (also for a malformed id). */
export async function lockVisibleRequest(tx: Tx, caller: Caller, id: string) {
  if (!z.uuid().safeParse(id).success) throw new NotFoundError("Request");
  const [row] = await tx
    .select()
    .from(jitRequests)
    .where(and(eq(jitRequests.id, id), visibleRequests(caller)))
    .for("update");
  if (!row) throw new NotFoundError("Request");
  return row;
}

/** Is the caller the one who asked, or the identity that received it? */
export const isRequesterOf = (caller: Caller, r: { requesterId: string; identityId: string }) =>
  r.requesterId === caller.identityId || r.identityId === caller.identityId;
