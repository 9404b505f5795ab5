import { sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Tx } from "@/db/client";
import { queryRows } from "@/db/rows";
import { grantActiveAt, grants, type SessionEventKind } from "@/db/schema";
import { OUTLIVED_GRACE_SECONDS } from "@/lib/findings/kinds";
import { raiseFindings } from "@/lib/findings/raise";

/** One event of a privileged session, its subject resolved. */
export type SessionEvidence = {
  eventId: string;
  sessionId: string;
  identityId: string;
  systemId: string | null;
  /** The entitlement the event names, if it names one (else the covering grant's). */
  entitlementId: string | null;
  kind: SessionEventKind;
  detail: string | null;
  outcome: "success" | "denied";
  /** ISO time. */
  occurredAt: string;
};

export type StoredSessionEvent = {
  event_id: string;
  session_id: string;
  identity_id: string;
  system_id: string | null;
  entitlement_id: string | null;
  grant_id: string | null;
  request_id: string | null;
  kind: string;
  outcome: "success" | "denied";
  outside_window: boolean;
  occurred_at: string;
};

/**
 * Stores session evidence from one source (a PAM recorder's token, a
 * server's own log): each event linked to the grant whose window covered it
 * (a JIT grant first, with its request), its session created or widened, kept
 * once however often it is re-sent, counts recomputed from what is stored; and
 * activity no live grant covered raised as an "outside any grant window"
 * finding per session. Returns the events stored now (not those stored before).
 */
export async function recordSessionEvidence(
  tx: Tx,
  source: string,
  events: SessionEvidence[],
  details: Record<string, unknown> = {},
): Promise<StoredSessionEvent[]> {
  let inserted: StoredSessionEvent[] = [];
  if (events.length) {
    const json = JSON.stringify(events);
    inserted = await queryRows(
      tx,
      sql`
      with input as (
        select distinct on (j."eventId") j.*
        from json_to_recordset((${json}::text)::json) as j("eventId" text, "sessionId" text, "identityId" uuid, "systemId" uuid, "entitlementId" uuid, kind text, detail text, outcome text, "occurredAt" timestamptz)
      ),
      covered as (
        select input.*, g.id as grant_id, g.entitlement_id as covering_entitlement_id, r.id as request_id
        from input
        left join lateral (
          select g.id, g.entitlement_id from grants g join entitlements e on e.id = g.entitlement_id
          where g.identity_id = input."identityId"
            and (input."entitlementId" is null or g.entitlement_id = input."entitlementId")
            and (input."systemId" is null or e.system_id = input."systemId")
            and ${grantActiveAt(sql`input."occurredAt"`, alias(grants, "g"))}
          order by (g.type = 'jit') desc, g.starts_at desc limit 1) g on true
        left join jit_requests r on r.grant_id = g.id
      ),
      sessions as (
        insert into pam_sessions as s (source, session_id, identity_id, system_id, grant_id, request_id, started_at, ended_at, last_event_at)
        select ${source}, "sessionId", (array_agg("identityId" order by "occurredAt"))[1], (array_agg("systemId" order by "occurredAt"))[1],
          (array_agg(grant_id order by "occurredAt") filter (where grant_id is not null))[1],
          (array_agg(request_id order by "occurredAt") filter (where request_id is not null))[1],
          min("occurredAt"), max("occurredAt") filter (where kind = 'end'), max("occurredAt")
        from covered group by "sessionId"
        on conflict (source, session_id) do update set
          started_at = least(s.started_at, excluded.started_at),
          ended_at = greatest(s.ended_at, excluded.ended_at),
          last_event_at = greatest(s.last_event_at, excluded.last_event_at),
          grant_id = coalesce(s.grant_id, excluded.grant_id),
          request_id = coalesce(s.request_id, excluded.request_id),
          updated_at = now()
        returning s.id, s.session_id
      ),
      ins as (
        insert into pam_session_events (pam_session_id, source, event_id, kind, detail, outcome, grant_id, outside_window, occurred_at)
        select sessions.id, ${source}, c."eventId", c.kind::session_event_kind, c.detail, c.outcome::usage_outcome, c.grant_id, c.grant_id is null, c."occurredAt"
        from covered c join sessions on sessions.session_id = c."sessionId"
        on conflict (source, event_id) do nothing
        returning event_id
      )
      select c."eventId" as event_id, c."sessionId" as session_id, c."identityId" as identity_id, c."systemId" as system_id,
        coalesce(c."entitlementId", c.covering_entitlement_id) as entitlement_id, c.grant_id, c.request_id, c.kind, c.outcome,
        c.grant_id is null as outside_window, c."occurredAt" as occurred_at
      from covered c join ins on ins.event_id = c."eventId"`,
    );
    // Counts are recomputed from the stored events, so a re-sent batch changes nothing.
    await tx.execute(sql`
      update pam_sessions s set event_count = c.n, outside_window_count = c.outside, updated_at = now()
      from (select pam_session_id, count(*)::int as n, (count(*) filter (where outside_window))::int as outside
            from pam_session_events where pam_session_id in (select id from pam_sessions where source = ${source} and session_id in (select distinct j from json_array_elements_text((${JSON.stringify([...new Set(events.map((e) => e.sessionId))])}::text)::json) as j))
            group by 1) c
      where s.id = c.pam_session_id`);
  }

  const outside = new Map<string, (typeof inserted)[number][]>();
  for (const e of inserted.filter((x) => x.outside_window && x.kind !== "end"))
    outside.set(`${e.identity_id}|${e.session_id}`, [...(outside.get(`${e.identity_id}|${e.session_id}`) ?? []), e]);
  await raiseFindings(
    tx,
    [...outside.values()].map((list) => ({
      kind: "outside_grant_window" as const,
      severity: "high" as const,
      identityId: list[0].identity_id,
      entitlementId: list[0].entitlement_id,
      systemId: list[0].system_id,
      source: "jit.session",
      title: `Session ${list[0].session_id}: activity outside any active grant window`,
      details: { sessionId: list[0].session_id, events: list.length, firstAt: list.map((e) => e.occurred_at).sort()[0], ...details },
      discriminator: `${source}:${list[0].session_id}`,
    })),
  );
  await raiseOutlivedSessions(tx, source, [...new Set(events.map((e) => e.sessionId))]);
  return inserted;
}

/**
 * Sessions of this batch that the target's own record shows running past
 * their grant's end (ended, or last seen, more than the grace after it): an
 * SSH login whose certificate expired mid-session, a database session the
 * product was not there to end. One finding per session, saying by how long.
 * A grant whose connector already reported its sessions when it ended them
 * is not reported again from the log.
 */
async function raiseOutlivedSessions(tx: Tx, source: string, sessionIds: string[]) {
  if (!sessionIds.length) return;
  const outlived = await queryRows<{
    session_id: string;
    identity_id: string;
    system_id: string | null;
    grant_id: string;
    entitlement_id: string;
    request_id: string | null;
    grant_ended_at: string;
    last_seen_at: string;
    ended: boolean;
    seconds: number;
  }>(
    tx,
    sql`
    select s.session_id, s.identity_id, s.system_id, g.id as grant_id, g.entitlement_id, s.request_id,
      least(g.expires_at, g.revoked_at) as grant_ended_at, coalesce(s.ended_at, s.last_event_at) as last_seen_at, s.ended_at is not null as ended,
      floor(extract(epoch from coalesce(s.ended_at, s.last_event_at) - least(g.expires_at, g.revoked_at)))::int as seconds
    from pam_sessions s join grants g on g.id = s.grant_id
    where s.source = ${source}
      and s.session_id in (select j from json_array_elements_text((${JSON.stringify(sessionIds)}::text)::json) as j)
      and coalesce(s.ended_at, s.last_event_at) > least(g.expires_at, g.revoked_at) + make_interval(secs => ${OUTLIVED_GRACE_SECONDS})
      and not exists (select 1 from findings f where f.grant_id = g.id and f.kind = 'session_outlived_grant' and f.source like 'connector:%')`,
  );
  await raiseFindings(
    tx,
    outlived.map((o) => ({
      kind: "session_outlived_grant" as const,
      severity: "high" as const,
      identityId: o.identity_id,
      entitlementId: o.entitlement_id,
      grantId: o.grant_id,
      systemId: o.system_id,
      source: "jit.session",
      title: `Session ${o.session_id} ${o.ended ? "ran" : "was still running"} ${o.seconds} s after its grant ended`,
      details: {
        sessionId: o.session_id,
        sessionSource: source,
        requestId: o.request_id,
        grantEndedAt: new Date(o.grant_ended_at).toISOString(),
        lastSeenAt: new Date(o.last_seen_at).toISOString(),
        ended: o.ended,
        outlivedSeconds: o.seconds,
      },
      discriminator: `${source}:${o.session_id}`,
    })),
  );
}
