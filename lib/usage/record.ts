import { sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { queryRows } from "@/db/rows";
import { ValidationError } from "@/lib/errors";
import { textProblem } from "@/lib/validation/input";
import { coverUsageMonths, storableWindow, unstorableReason, type StorableWindow } from "./retention";

export type UsageEventInput = {
  /** The source's own id for the event (CloudTrail eventID, a session event id): the idempotency key with `source` and `occurredAt`. */
  eventId: string;
  source: string;
  identityId: string;
  /** The entitlement the action was covered by, when one is known. */
  entitlementId: string | null;
  systemId: string | null;
  action: string;
  outcome: "success" | "denied";
  sessionId?: string | null;
  occurredAt: Date;
};

const BATCH = 5000;

/** What a write stored: events new to the database (`denied` of them denied attempts) and events it already had. */
export type Stored = { inserted: number; duplicates: number; denied: number };

/**
 * The statement behind recordUsage: stores the events that `input` yields
 * (columns e event id, s source, i identity, n entitlement, y system, a action,
 * o outcome, x session, t time) unless already stored, folds the stored ones
 * into the roll-ups, and answers `n`, how many it stored, and `denied`, how
 * many of those stored were denied attempts. `more` adds CTEs to the same
 * statement, so everything lands in one transaction.
 *
 * The stored events are grouped once (`g`, per identity, entitlement, action,
 * UTC day and outcome: {@link UsageGroup}) and every roll-up is folded from
 * those groups.
 */
export function foldStatement(input: string, more = ""): string {
  return foldGroups(
    `input as (${input}),
      ins as (
        insert into usage_events (event_id, source, identity_id, entitlement_id, system_id, action, outcome, session_id, occurred_at)
        select e, s, i, n, y, a, o::usage_outcome, x, t from input
        on conflict (source, event_id, occurred_at) do nothing
        returning identity_id, entitlement_id, action, outcome, occurred_at
      ),
      g as (
        select identity_id, entitlement_id, action, (occurred_at at time zone 'UTC')::date as day, outcome = 'success' as ok,
          count(*)::int as n, min(occurred_at) as first_at, max(occurred_at) as last_at,
          bit_or(1 << extract(hour from occurred_at at time zone 'UTC')::int) as hours
        from ins group by 1, 2, 3, 4, 5
      )`,
    more,
  );
}

/** The events of a batch grouped as the fold groups them (`g` in {@link foldStatement}). */
export type UsageGroup = {
  identity_id: string;
  entitlement_id: string | null;
  action: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  ok: boolean;
  n: number;
  first_at: string;
  last_at: string;
  /** Bit h set: an event in UTC hour h. */
  hours: number;
};

/** Groups events exactly as the fold's `g` does, for a writer that has just stored all of them itself. */
export function groupUsage(events: UsageEventInput[]): UsageGroup[] {
  const groups = new Map<string, { g: UsageGroup; first: number; last: number }>();
  for (const e of events) {
    const t = e.occurredAt.getTime();
    const iso = e.occurredAt.toISOString();
    const day = iso.slice(0, 10);
    const ok = e.outcome === "success";
    const key = `${e.identityId}|${e.entitlementId ?? ""}|${day}|${ok ? 1 : 0}|${e.action}`;
    const hour = 1 << e.occurredAt.getUTCHours();
    const seen = groups.get(key);
    if (!seen) {
      groups.set(key, {
        g: { identity_id: e.identityId, entitlement_id: e.entitlementId, action: e.action, day, ok, n: 1, first_at: iso, last_at: iso, hours: hour },
        first: t,
        last: t,
      });
      continue;
    }
    seen.g.n++;
    seen.g.hours |= hour;
    if (t < seen.first) {
      seen.first = t;
      seen.g.first_at = iso;
    }
    if (t > seen.last) {
      seen.last = t;
      seen.g.last_at = iso;
    }
  }
  return [...groups.values()].map((x) => x.g);
}

/**
 * The fold of {@link foldStatement} from groups the caller computed
 * ({@link groupUsage}) of events it stored itself in the same transaction:
 * `$1` is the groups as JSON. Answers `n` and `denied` the same way.
 */
export function foldGroupsStatement(more = ""): string {
  return foldGroups(
    `g as (
        select * from json_to_recordset(($1::text)::json)
          as j(identity_id uuid, entitlement_id uuid, action text, day date, ok boolean, n int, first_at timestamptz, last_at timestamptz, hours int)
      )`,
    more,
  );
}

function foldGroups(groups: string, more: string): string {
  return `
      with ${groups},
      pairs as (
        insert into usage_rollups as r (identity_id, entitlement_id, first_used_at, last_used_at, success_count, denied_count, last_denied_at)
        select identity_id, entitlement_id, min(first_at) filter (where ok), max(last_at) filter (where ok),
          coalesce(sum(n) filter (where ok), 0)::int, coalesce(sum(n) filter (where not ok), 0)::int, max(last_at) filter (where not ok)
        from g where entitlement_id is not null group by 1, 2
        on conflict (identity_id, entitlement_id) do update set
          first_used_at = least(r.first_used_at, excluded.first_used_at),
          last_used_at = greatest(r.last_used_at, excluded.last_used_at),
          success_count = r.success_count + excluded.success_count,
          denied_count = r.denied_count + excluded.denied_count,
          last_denied_at = greatest(r.last_denied_at, excluded.last_denied_at)
      ),
      days as (
        insert into usage_daily as d (identity_id, entitlement_id, day, success_count, denied_count, hour_mask)
        select identity_id, entitlement_id, day,
          coalesce(sum(n) filter (where ok), 0)::int, coalesce(sum(n) filter (where not ok), 0)::int, coalesce(bit_or(hours) filter (where ok), 0)
        from g where entitlement_id is not null group by 1, 2, 3
        on conflict (identity_id, entitlement_id, day) do update set
          success_count = d.success_count + excluded.success_count,
          denied_count = d.denied_count + excluded.denied_count,
          hour_mask = d.hour_mask | excluded.hour_mask
      ),
      actions as (
        insert into usage_action_daily as a (identity_id, action, day, success_count, denied_count, first_at, last_at, last_success_at)
        select identity_id, action, day,
          coalesce(sum(n) filter (where ok), 0)::int, coalesce(sum(n) filter (where not ok), 0)::int,
          min(first_at), max(last_at), max(last_at) filter (where ok)
        from g group by 1, 2, 3
        on conflict (identity_id, action, day) do update set
          success_count = a.success_count + excluded.success_count,
          denied_count = a.denied_count + excluded.denied_count,
          first_at = least(a.first_at, excluded.first_at),
          last_at = greatest(a.last_at, excluded.last_at),
          last_success_at = greatest(a.last_success_at, excluded.last_success_at)
      ),
      -- Only rows whose last use moves: an identity row rewritten for nothing is a dead tuple in every index.
      last_use as (
        update identities set last_used_at = greatest(identities.last_used_at, u.last_used)
        from (select identity_id, max(last_at) as last_used from g where ok group by 1) u
        where identities.id = u.identity_id and (identities.last_used_at is null or identities.last_used_at < u.last_used)
      )${more ? `,\n      ${more}` : ""}
      select coalesce(sum(n), 0)::int as n, coalesce(sum(n) filter (where not ok), 0)::int as denied from g`;
}

const [beforeJson, afterJson] = foldStatement(
  `select j.*
        from json_to_recordset(($json::text)::json) as j(e text, s text, i uuid, n uuid, y uuid, a text, o text, x text, t timestamptz)`,
).split("$json");

/**
 * Stores usage evidence and folds it into the roll-ups in the same
 * transaction: per (identity, entitlement), per (identity, entitlement, UTC
 * day) with the hours used, per (identity, action, day), and the identity's
 * last use. Events already stored (same source and
 * event id) are skipped and not counted twice, so a re-sent batch is harmless.
 * One bind parameter per batch (JSON), whatever its size, on both drivers.
 */
export async function recordUsage(tx: Tx, events: UsageEventInput[], window = storableWindow()): Promise<Stored> {
  const span = storableSpan(events, window);
  if (!span) return { inserted: 0, duplicates: 0, denied: 0 };
  await coverUsageMonths(tx, span.first, span.last);
  let inserted = 0;
  let denied = 0;
  for (let i = 0; i < events.length; i += BATCH) {
    const json = JSON.stringify(
      events.slice(i, i + BATCH).map((e) => ({
        e: e.eventId,
        s: e.source,
        i: e.identityId,
        n: e.entitlementId,
        y: e.systemId,
        a: e.action,
        o: e.outcome,
        x: e.sessionId ?? null,
        t: e.occurredAt.toISOString(),
      })),
    );
    const [row] = await queryRows<{ n: number; denied: number }>(tx, sql`${sql.raw(beforeJson)}${json}${sql.raw(afterJson)}`);
    inserted += Number(row?.n ?? 0);
    denied += Number(row?.denied ?? 0);
  }
  return { inserted, duplicates: events.length - inserted, denied };
}

/**
 * The first and last times of events that may all be stored (null for none).
 * Callers check times against the retention first and report what they
 * refuse; an event outside it here is a caller's bug, refused whole.
 */
export function storableSpan(events: UsageEventInput[], window: StorableWindow): { first: Date; last: Date } | null {
  if (events.length === 0) return null;
  let first = events[0].occurredAt;
  let last = first;
  for (const e of events) {
    const why = unstorableReason(e.occurredAt, window);
    if (why)
      throw new ValidationError({
        occurredAt: [`Event ${e.eventId} cannot be stored: ${why === "in-the-future" ? "it is in the future" : "it is older than the usage retention"}.`],
      });
    const text = textOfEventProblem(e);
    if (text) throw new ValidationError({ [text.field]: [`An event's ${text.field} ${text.problem}`] });
    if (e.occurredAt < first) first = e.occurredAt;
    if (e.occurredAt > last) last = e.occurredAt;
  }
  return { first, last };
}

/**
 * The longest event id, action and session id stored: the id and action are
 * keys of B-tree indexes, whose entries PostgreSQL caps at about 2.7 kB.
 * The usage API refuses longer ones with these limits too.
 */
export const EVENT_TEXT_MAX = { eventId: 200, action: 300, sessionId: 200 } as const;

/**
 * What in an event's text could not be stored as sent (a NUL character; a
 * lone surrogate, which would be stored changed; more than EVENT_TEXT_MAX),
 * or null. Importers skip such records and count them; writers refuse them.
 */
export function textOfEventProblem(e: Pick<UsageEventInput, "eventId" | "action" | "sessionId">): { field: string; problem: string } | null {
  for (const [field, value] of [
    ["eventId", e.eventId],
    ["action", e.action],
    ["sessionId", e.sessionId],
  ] as const) {
    const problem = value ? textProblem(value, EVENT_TEXT_MAX[field]) : null;
    if (problem) return { field, problem };
  }
  return null;
}
