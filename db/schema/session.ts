import { bigserial, boolean, index, integer, pgEnum, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamps, tz } from "./columns";
import { grants } from "./access";
import { identities, systems } from "./identity";
import { jitRequests } from "./jit";
import { usageOutcome } from "./usage";

export const sessionEventKinds = ["start", "end", "command", "query"] as const;
export type SessionEventKind = (typeof sessionEventKinds)[number];
export const sessionEventKind = pgEnum("session_event_kind", sessionEventKinds);

/**
 * A privileged session recorded by a PAM tool (bastion, database proxy,
 * kubectl gateway), linked to the grant that covered it. Sessions are keyed by
 * the recorder's own session id within its source (the API token that sent it).
 */
export const pamSessions = pgTable(
  "pam_sessions",
  {
    id: id(),
    source: text("source").notNull(),
    sessionId: text("session_id").notNull(),
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id),
    systemId: uuid("system_id").references(() => systems.id),
    // The grant (and JIT request) whose window covered the session's first event.
    grantId: uuid("grant_id").references(() => grants.id),
    requestId: uuid("request_id").references(() => jitRequests.id),
    startedAt: tz("started_at").notNull(),
    endedAt: tz("ended_at"),
    lastEventAt: tz("last_event_at").notNull(),
    eventCount: integer("event_count").notNull().default(0),
    outsideWindowCount: integer("outside_window_count").notNull().default(0),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("pam_sessions_source_session_key").on(t.source, t.sessionId),
    index("pam_sessions_request_idx").on(t.requestId),
    index("pam_sessions_identity_idx").on(t.identityId, t.startedAt),
  ],
);

/** What happened in a session, one row per event, idempotent by the source's event id. */
export const pamSessionEvents = pgTable(
  "pam_session_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    pamSessionId: uuid("pam_session_id")
      .notNull()
      .references(() => pamSessions.id),
    source: text("source").notNull(),
    eventId: text("event_id").notNull(),
    kind: sessionEventKind("kind").notNull(),
    // The command or query as recorded (truncated); never secrets the recorder redacted.
    detail: text("detail"),
    outcome: usageOutcome("outcome").notNull().default("success"),
    grantId: uuid("grant_id").references(() => grants.id),
    // No active grant for the identity on the system covered this moment.
    outsideWindow: boolean("outside_window").notNull().default(false),
    occurredAt: tz("occurred_at").notNull(),
  },
  (t) => [uniqueIndex("pam_session_events_source_event_key").on(t.source, t.eventId), index("pam_session_events_session_idx").on(t.pamSessionId, t.occurredAt)],
);
