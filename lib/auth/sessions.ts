import { and, eq, gt, isNull, lt } from "drizzle-orm";
import { z } from "zod";
import { isDemoMode, type Db, type Tx } from "@/db/client";
import { authSessions, identities, type Role, type SessionProvider } from "@/db/schema";
import { type Actor, auditedTransaction, recordAudit } from "@/lib/audit/record";
import { callerColumns, callerFromRow, type Caller } from "@/lib/caller";

/** A session lasts 8 hours from sign-in, whatever happens to its cookie. */
export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;
// Recording every request would put a write on each one; a minute's precision is enough.
export const SESSION_TOUCH_MS = 60_000;
// Ended sessions are kept a while for investigations (the audit log keeps their start and end for good).
const SESSION_RETENTION_MS = 30 * 86_400_000;

/** What the session cookie carries about its session (the rest is in the record). */
export type SessionClaims = { sessionId?: string; claimRoles?: Role[] } | null | undefined;

/** Records a new sign-in session for an active person, audited; its id goes into the cookie. */
export async function startSession(db: Db, actor: Actor & { id: string }, provider: SessionProvider, now = new Date()): Promise<string> {
  const expiresAt = new Date(now.getTime() + SESSION_MAX_AGE_SECONDS * 1000);
  return auditedTransaction(db, async (tx) => {
    const [row] = await tx
      .insert(authSessions)
      .values({ identityId: actor.id, provider, createdAt: now, lastSeenAt: now, expiresAt })
      .returning({ id: authSessions.id });
    await recordAudit(tx, actor, {
      action: "session.started",
      entityType: "auth_session",
      entityId: row.id,
      after: { identityId: actor.id, provider, expiresAt },
    });
    return row.id;
  });
}

export type SessionOptions = { demoMode?: boolean; now?: Date };

/**
 * The caller behind a session cookie, checked against its record on every
 * request: none when the record is missing, revoked or expired, when its
 * person is no longer active, or when it was started by demo persona sign-in
 * and this instance is not in demo mode (an instance sharing the database and
 * secret with a demo one must not honour its sessions). Notes when the
 * session was last seen, at most once a minute.
 */
export async function callerForSession(db: Tx, claims: SessionClaims, opts: SessionOptions = {}): Promise<Caller | null> {
  const sessionId = claims?.sessionId;
  if (!sessionId || !z.uuid().safeParse(sessionId).success) return null;
  const now = opts.now ?? new Date();
  const demoMode = opts.demoMode ?? isDemoMode();
  const [row] = await db
    .select({
      ...callerColumns,
      provider: authSessions.provider,
      expiresAt: authSessions.expiresAt,
      revokedAt: authSessions.revokedAt,
      lastSeenAt: authSessions.lastSeenAt,
    })
    .from(authSessions)
    .innerJoin(identities, eq(identities.id, authSessions.identityId))
    .where(eq(authSessions.id, sessionId));
  if (!row || row.revokedAt || row.expiresAt <= now || (row.provider === "demo" && !demoMode)) return null;
  const caller = callerFromRow(row, claims.claimRoles);
  if (caller && now.getTime() - row.lastSeenAt.getTime() >= SESSION_TOUCH_MS) {
    await db.update(authSessions).set({ lastSeenAt: now }).where(eq(authSessions.id, sessionId));
  }
  return caller;
}

/** Ends one session (sign-out), audited; ending it again changes nothing. */
export async function endSession(db: Db, sessionId: string | undefined, reason: string, now = new Date()): Promise<boolean> {
  if (!sessionId || !z.uuid().safeParse(sessionId).success) return false;
  return auditedTransaction(db, async (tx) => {
    const [row] = await tx
      .update(authSessions)
      .set({ revokedAt: now, revokedReason: reason })
      .where(and(eq(authSessions.id, sessionId), isNull(authSessions.revokedAt)))
      .returning({ id: authSessions.id, identityId: authSessions.identityId });
    if (!row) return false;
    const [person] = await tx.select({ email: identities.email, name: identities.displayName }).from(identities).where(eq(identities.id, row.identityId));
    await recordAudit(
      tx,
      { id: row.identityId, label: person?.email ?? person?.name ?? row.identityId },
      { action: "session.ended", entityType: "auth_session", entityId: row.id, before: { revokedAt: null }, after: { revokedAt: now, reason } },
    );
    return true;
  });
}

/**
 * Ends every live session of a person, in the caller's transaction (a role
 * removed, the person offboarded), with one audit row naming them. Returns
 * how many ended.
 */
export async function revokeSessionsOf(tx: Tx, actor: Actor, identityId: string, reason: string, now = new Date()): Promise<number> {
  const ended = await tx
    .update(authSessions)
    .set({ revokedAt: now, revokedReason: reason })
    .where(and(eq(authSessions.identityId, identityId), isNull(authSessions.revokedAt), gt(authSessions.expiresAt, now)))
    .returning({ id: authSessions.id });
  if (ended.length) {
    await recordAudit(tx, actor, {
      action: "sessions.revoked",
      entityType: "identity",
      entityId: identityId,
      after: { sessionIds: ended.map((s) => s.id), reason },
    });
  }
  return ended.length;
}

/** Deletes session records that ended long ago (the sweep job). */
export async function sweepSessions(db: Db, now = new Date()): Promise<void> {
  await db.delete(authSessions).where(lt(authSessions.expiresAt, new Date(now.getTime() - SESSION_RETENTION_MS)));
}
