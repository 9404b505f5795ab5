import { lt, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { authFailures } from "@/db/schema";
import { auditedTransaction, recordAudit } from "@/lib/audit/record";
import { TooManyRequestsError } from "@/lib/errors";

/**
 * Failed authentications are limited per source address: after
 * AUTH_FAILURE_LIMIT failures within a window of AUTH_FAILURE_WINDOW_SECONDS,
 * the source is answered 429 (with Retry-After) until the window ends, for
 * every credential it presents, right ones included: otherwise guessing would
 * go on and a hit would still be recognised.
 *
 * The count lives in PostgreSQL, so every app instance sees the same one. Only
 * failures write there. A success costs one lookup in this process's map of
 * blocked sources, nothing more; an instance learns of a block another one
 * imposed at the source's next failure here, so at most one more guess per
 * instance is judged.
 */
export type FailureSettings = { limit: number; windowMs: number };

export type AuthChannel = "api" | "scim" | "sign-in";

function positiveInt(name: string, fallback: number, env: Record<string, string | undefined>) {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number above 0, not "${raw}".`);
  return n;
}

export function failureSettings(env: Record<string, string | undefined> = process.env): FailureSettings {
  return { limit: positiveInt("AUTH_FAILURE_LIMIT", 10, env), windowMs: positiveInt("AUTH_FAILURE_WINDOW_SECONDS", 60, env) * 1000 };
}

// Sources known here to be blocked, until when. Bounded: a flood of sources
// evicts the oldest entries, which then cost one database write to relearn.
const MAX_BLOCKED = 10_000;
const blocked = new Map<string, number>();

function remember(source: string, until: number, now: number) {
  if (blocked.size >= MAX_BLOCKED) {
    for (const [key, end] of blocked) if (end <= now) blocked.delete(key);
    while (blocked.size >= MAX_BLOCKED) blocked.delete(blocked.keys().next().value!);
  }
  blocked.delete(source);
  blocked.set(source, until);
}

const retryAfter = (until: number, now: number) => Math.max(1, Math.ceil((until - now) / 1000));

/** Throws 429 when this process already knows the source is blocked. No I/O. */
export function refuseIfBlocked(source: string, now = Date.now()): void {
  const until = blocked.get(source);
  if (until === undefined) return;
  if (until > now) throw new TooManyRequestsError(retryAfter(until, now));
  blocked.delete(source);
}

/** The actor of rate-limit audit rows: the product, acting on a source it cannot name otherwise. */
const LIMITER = { id: null, label: "system: failed-authentication limit" };

/**
 * Counts one failure from the source in the current window. The request
 * that passes the limit writes one audit row for the source and window (only
 * one request sees that exact count, whatever the instance); it and every
 * later one within the window get 429.
 */
export async function countFailure(db: Db, source: string, channel: AuthChannel, settings = failureSettings(), now = Date.now()): Promise<void> {
  const windowStart = Math.floor(now / settings.windowMs) * settings.windowMs;
  const [row] = await db
    .insert(authFailures)
    .values({ source, windowStart: new Date(windowStart), failures: 1 })
    .onConflictDoUpdate({ target: [authFailures.source, authFailures.windowStart], set: { failures: sql`${authFailures.failures} + 1` } })
    .returning({ failures: authFailures.failures });
  if (row.failures <= settings.limit) return;
  const until = windowStart + settings.windowMs;
  remember(source, until, now);
  if (row.failures === settings.limit + 1) {
    await auditedTransaction(db, (tx) =>
      recordAudit(tx, LIMITER, {
        action: "auth.rate_limited",
        entityType: "auth_source",
        entityId: source,
        after: { channel, failures: row.failures, limit: settings.limit, windowStart: new Date(windowStart), blockedUntil: new Date(until) },
      }),
    );
  }
  throw new TooManyRequestsError(retryAfter(until, now));
}

/**
 * Runs an authentication attempt for a source: refused at once while the
 * source is known to be blocked; a failed attempt (null) is counted, and 429
 * replaces it once the source is over the limit.
 */
export async function limitFailures<T>(db: Db, source: string, channel: AuthChannel, attempt: () => Promise<T | null>): Promise<T | null> {
  refuseIfBlocked(source);
  const result = await attempt();
  if (result === null) await countFailure(db, source, channel);
  return result;
}

/** Deletes the counts of windows that have ended (the sweep job, every minute). */
export async function sweepFailures(db: Db, settings = failureSettings(), now = Date.now()): Promise<void> {
  const current = Math.floor(now / settings.windowMs) * settings.windowMs;
  await db.delete(authFailures).where(lt(authFailures.windowStart, new Date(current)));
}

/** Forgets what this process knows of blocked sources (tests playing several instances). */
export function forgetBlockedSources(): void {
  blocked.clear();
}
