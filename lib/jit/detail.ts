import { and, asc, count, desc, eq, gte, inArray, lte, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "@/db/client";
import {
  auditLog,
  entitlements,
  grantIsActive,
  issuesCredential,
  grants,
  identities,
  jitApprovals,
  jitRequests,
  pamSessionEvents,
  pamSessions,
  usageEventKey,
  usageEvents,
} from "@/db/schema";
import { hasRole, type Caller } from "@/lib/caller";
import { NotFoundError } from "@/lib/errors";
import { isRequesterOf, visibleRequests } from "./access";
import { certificatesFor, credentialConnector, issuedFor } from "./credential";
import { conflictedApprovers } from "./request";
import { joined, requestColumns } from "./list";

/**
 * One request as its page shows it: the request and its policy terms, every
 * approval, the grant window, the PAM sessions and usage it covered, its
 * history, and what the caller may do with it now.
 */
export async function getRequest(db: Tx, caller: Caller, id: string) {
  if (!z.uuid().safeParse(id).success) throw new NotFoundError("Request");
  const [row] = await joined(db.select(requestColumns).from(jitRequests).$dynamic()).where(and(eq(jitRequests.id, id), visibleRequests(caller)));
  if (!row) throw new NotFoundError("Request");

  const windowEnd = row.endedAt ?? row.expiresAt ?? new Date();
  const [approvals, approvers, grant, sessions, usage, [{ usageCount }], history, [subject], credentials, certificates, credentialKind] = await Promise.all([
    db
      .select({
        approverId: jitApprovals.approverId,
        approverName: identities.displayName,
        decision: jitApprovals.decision,
        comment: jitApprovals.comment,
        at: jitApprovals.createdAt,
      })
      .from(jitApprovals)
      .innerJoin(identities, eq(identities.id, jitApprovals.approverId))
      .where(eq(jitApprovals.requestId, id))
      .orderBy(asc(jitApprovals.createdAt)),
    row.approverIds.length
      ? db
          .select({ id: identities.id, displayName: identities.displayName })
          .from(identities)
          .where(inArray(identities.id, row.approverIds))
          .orderBy(identities.displayName)
      : [],
    row.grantId
      ? db
          .select({
            id: grants.id,
            startsAt: grants.startsAt,
            expiresAt: grants.expiresAt,
            revokedAt: grants.revokedAt,
            revokeReason: grants.revokeReason,
            provenance: grants.provenance,
            active: sql<boolean>`${grantIsActive}`,
          })
          .from(grants)
          .where(eq(grants.id, row.grantId))
          .then((r) => r[0] ?? null)
      : null,
    db.select().from(pamSessions).where(eq(pamSessions.requestId, id)).orderBy(asc(pamSessions.startedAt)).limit(50),
    row.startsAt
      ? db
          .select({
            id: usageEventKey,
            action: usageEvents.action,
            outcome: usageEvents.outcome,
            occurredAt: usageEvents.occurredAt,
            source: usageEvents.source,
            sessionId: usageEvents.sessionId,
          })
          .from(usageEvents)
          .where(
            and(
              eq(usageEvents.identityId, row.identityId),
              eq(usageEvents.entitlementId, row.entitlementId),
              gte(usageEvents.occurredAt, row.startsAt),
              lte(usageEvents.occurredAt, windowEnd),
            ),
          )
          .orderBy(desc(usageEvents.occurredAt))
          .limit(50)
      : [],
    row.startsAt
      ? db
          .select({ usageCount: count() })
          .from(usageEvents)
          .where(
            and(
              eq(usageEvents.identityId, row.identityId),
              eq(usageEvents.entitlementId, row.entitlementId),
              gte(usageEvents.occurredAt, row.startsAt),
              lte(usageEvents.occurredAt, windowEnd),
            ),
          )
      : [{ usageCount: 0 }],
    db
      .select()
      .from(auditLog)
      .where(
        or(
          and(eq(auditLog.entityType, "jit_request"), eq(auditLog.entityId, id)),
          row.grantId ? and(eq(auditLog.entityType, "grant"), eq(auditLog.entityId, row.grantId)) : undefined,
        ),
      )
      .orderBy(asc(auditLog.id)),
    db
      .select({ id: identities.id, kind: identities.kind, ownerId: identities.ownerId, backupOwnerId: identities.backupOwnerId })
      .from(identities)
      .where(eq(identities.id, row.identityId)),
    issuedFor(db, id),
    certificatesFor(db, id),
    // Which target issues the system's credentials (an SSH one asks the requester for a key).
    db
      .select({ systemId: entitlements.systemId })
      .from(entitlements)
      .where(eq(entitlements.id, row.entitlementId))
      .then(async ([e]) => (e ? ((await credentialConnector(db, e.systemId))?.kind ?? null) : null)),
  ]);
  const sessionEvents = sessions.length
    ? await db
        .select()
        .from(pamSessionEvents)
        .where(
          inArray(
            pamSessionEvents.pamSessionId,
            sessions.map((s) => s.id),
          ),
        )
        .orderBy(asc(pamSessionEvents.occurredAt))
        .limit(500)
    : [];

  const me = caller.identityId;
  const conflicted = conflictedApprovers(subject, row.requesterId).has(me);
  const decided = approvals.some((a) => a.approverId === me);
  const open = row.status === "approved" || row.status === "active";
  const person = !caller.token;
  return {
    request: row,
    approvals,
    approvers,
    grant,
    sessions: sessions.map((s) => ({ ...s, events: sessionEvents.filter((e) => e.pamSessionId === s.id) })),
    usage,
    usageCount,
    history,
    // What was issued (account, validity, hand-outs), never a secret.
    credentials,
    certificates,
    credentialKind,
    can: {
      takeCredential: row.status === "active" && isRequesterOf(caller, row) && issuesCredential(row.activation),
      decide: person && row.status === "pending" && row.approverIds.includes(me) && !conflicted && !decided,
      cancel: row.status === "pending" && isRequesterOf(caller, row),
      release: open && isRequesterOf(caller, row),
      revoke: person && open && (hasRole(caller, "admin", "approver") || row.approverIds.includes(me)),
      postReview:
        person &&
        row.breakGlass &&
        row.postReviewStatus === "pending" &&
        !conflicted &&
        !isRequesterOf(caller, row) &&
        (row.approverIds.includes(me) || hasRole(caller, "approver", "admin")),
    },
  };
}
export type RequestDetail = Awaited<ReturnType<typeof getRequest>>;
