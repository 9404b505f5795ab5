import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "@/db/client";
import { queryRows } from "@/db/rows";
import { ValidationError } from "@/lib/errors";
import { dateTime, text } from "@/lib/validation/fields";
import { inputProblem, pathKey } from "@/lib/validation/input";
import { unstorableReason, usageRetentionDays } from "@/lib/usage/retention";
import { EVENT_TEXT_MAX } from "@/lib/usage/record";

/** The fields every event source sends (usage events, PAM session events), with the same rules and messages. */
export const eventFields = {
  eventId: text({ message: "eventId is required." })
    .trim()
    .min(1, "eventId is required.")
    .max(EVENT_TEXT_MAX.eventId, `eventId is at most ${EVENT_TEXT_MAX.eventId} characters.`),
  // The identity's id, its external id (an ARN, a database role) or its name.
  identity: text({ message: "identity is required." }).trim().min(1, "identity is required.").max(500, "identity is at most 500 characters."),
  // A system id, name or external id (an AWS account id); defaults to the token's system.
  system: text().trim().min(1).max(200, "system is at most 200 characters.").optional(),
  // The entitlement exercised (id or name in the system).
  entitlement: text().trim().min(1).max(300, "entitlement is at most 300 characters.").optional(),
  occurredAt: dateTime("occurredAt"),
  outcome: z.enum(["success", "denied"], { message: "outcome is success or denied." }).default("success"),
};

type TimeRule = [
  (e: { occurredAt: Date }) => boolean,
  { error: (issue: { input: unknown }) => string; path: string[]; when: (payload: { issues: { path?: PropertyKey[] }[] }) => boolean },
];

// A time the field itself refused is reported once, by the field.
const fieldAccepted = (payload: { issues: { path?: PropertyKey[] }[] }) => !payload.issues.some((issue) => issue.path?.[0] === "occurredAt");

/** Evidence of the future is a clock or a parser gone wrong: five minutes of clock skew are allowed. */
export const notInTheFuture: TimeRule = [
  (e) => unstorableReason(e.occurredAt) !== "in-the-future",
  { error: () => "occurredAt is in the future.", path: ["occurredAt"], when: fieldAccepted },
];

/**
 * A time the usage store can keep: not in the future and not older than the
 * usage retention (lib/usage/retention.ts).
 */
export const storableTime: TimeRule = [
  (e) => unstorableReason(e.occurredAt) === null,
  {
    error: ({ input }) =>
      unstorableReason((input as { occurredAt: Date }).occurredAt) === "in-the-future"
        ? "occurredAt is in the future."
        : `occurredAt is older than the usage retention (USAGE_RETENTION_DAYS, ${usageRetentionDays()} days).`,
    path: ["occurredAt"],
    when: fieldAccepted,
  },
];

export type Rejected = { line: number; eventId?: string; errors: string[] };

/**
 * Parses a batch of events sent as `{"events": [...]}` or as NDJSON (one JSON
 * object a line). Each event is validated on its own: bad ones come back with
 * their line number and reasons, good ones are kept.
 */
export function parseEventLines<S extends z.ZodType>(body: string, contentType: string | null, schema: S, max: number) {
  const lines: { line: number; value: unknown; error?: string }[] = [];
  const trimmed = body.trim();
  if (!contentType?.includes("ndjson") && trimmed.startsWith("{") && !trimmed.includes("\n{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new ValidationError({ _: ['The body must be JSON ({"events": [...]}) or NDJSON.'] }, "The body must be JSON or NDJSON.");
    }
    const events = (parsed as { events?: unknown }).events;
    if (!Array.isArray(events)) throw new ValidationError({ events: ['Send {"events": [...]}.'] });
    events.forEach((value, i) => lines.push({ line: i + 1, value }));
  } else {
    body.split("\n").forEach((text, i) => {
      if (text.trim() === "") return;
      try {
        lines.push({ line: i + 1, value: JSON.parse(text) });
      } catch {
        lines.push({ line: i + 1, value: null, error: "Not valid JSON." });
      }
    });
  }
  if (lines.length === 0) throw new ValidationError({ events: ["Send at least one event."] });
  if (lines.length > max) throw new ValidationError({ events: [`At most ${max.toLocaleString("en")} events a request.`] });
  const good: (z.output<S> & { line: number })[] = [];
  const rejected: Rejected[] = [];
  for (const l of lines) {
    if (l.error) {
      rejected.push({ line: l.line, errors: [l.error] });
      continue;
    }
    // The boundary rules per line: a NUL or a lone surrogate on one line refuses that line, not the batch.
    const problem = inputProblem(l.value);
    if (problem) {
      rejected.push({ line: l.line, ...eventIdOf(l.value), errors: [`${pathKey(problem.path)}: ${problem.message}`] });
      continue;
    }
    const result = schema.safeParse(l.value);
    if (result.success) good.push({ ...(result.data as object), line: l.line } as z.output<S> & { line: number });
    else
      rejected.push({
        line: l.line,
        ...eventIdOf(l.value),
        errors: result.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)),
      });
  }
  return { good, rejected };
}

/** The event id a rejected line named, to echo back: only a string that itself obeys the rules. */
function eventIdOf(value: unknown): { eventId?: string } {
  const id = value && typeof value === "object" ? (value as { eventId?: unknown }).eventId : undefined;
  return typeof id === "string" && inputProblem(id, { text: 200 }) === null ? { eventId: id } : {};
}

type Resolved = { line: number; identityId: string; systemId: string | null; entitlementId: string | null };

/** Names in events become ids: identities by id, external id or name; systems and entitlements by id or name. */
export async function resolveNames(
  tx: Tx,
  events: { line: number; identity: string; system?: string; entitlement?: string }[],
  defaultSystemId: string | null,
) {
  const json = JSON.stringify(events.map((e) => ({ l: e.line, i: e.identity, s: e.system ?? null, n: e.entitlement ?? null })));
  const rows = await queryRows<{ l: number; system_id: string | null; identity_ids: string[] | null; entitlement_id: string | null; system_given: boolean }>(
    tx,
    sql`
    with input as (select * from json_to_recordset((${json}::text)::json) as j(l int, i text, s text, n text)),
    sys as (
      select input.l, coalesce(
        (select s.id from systems s where input.s is not null and (s.id::text = input.s or s.name = input.s or s.external_id = input.s) limit 1),
        case when input.s is null then ${defaultSystemId}::uuid end) as system_id, input.s is not null as system_given
      from input)
    select input.l, sys.system_id, sys.system_given,
      (select array_agg(i.id) from identities i
        where i.id::text = input.i or i.external_id = input.i
           or (i.name = input.i and (sys.system_id is null or i.system_id = sys.system_id or i.kind = 'human'))) as identity_ids,
      (select e.id from entitlements e where input.n is not null and (e.id::text = input.n or (e.name = input.n and e.system_id = sys.system_id)) limit 1) as entitlement_id
    from input join sys on sys.l = input.l`,
  );
  const byLine = new Map(rows.map((r) => [Number(r.l), r]));
  const resolved: Resolved[] = [];
  const rejected: Rejected[] = [];
  for (const e of events) {
    const r = byLine.get(e.line)!;
    const errors: string[] = [];
    if (e.system && !r.system_id) errors.push(`system: no system "${e.system}".`);
    const ids = [...new Set(r.identity_ids ?? [])];
    if (ids.length === 0) errors.push(`identity: no identity "${e.identity}".`);
    if (ids.length > 1) errors.push(`identity: "${e.identity}" names ${ids.length} identities; send its id or name the system.`);
    if (e.entitlement && !r.entitlement_id)
      errors.push(`entitlement: no entitlement "${e.entitlement}"${r.system_id ? " in that system" : "; name the system"}.`);
    if (errors.length) rejected.push({ line: e.line, errors });
    else resolved.push({ line: e.line, identityId: ids[0], systemId: r.system_id, entitlementId: r.entitlement_id });
  }
  return { resolved, rejected };
}
