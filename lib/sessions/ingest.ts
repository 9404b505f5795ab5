import { z } from "zod";
import type { Db } from "@/db/client";
import { sessionEventKinds } from "@/db/schema";
import { requireScope, type TokenPrincipal } from "@/lib/auth/tokens";
import { eventFields, notInTheFuture, parseEventLines, resolveNames } from "@/lib/ingest/lines";
import { EVENT_TEXT_MAX, recordUsage } from "@/lib/usage/record";
import { unstorableReason } from "@/lib/usage/retention";
import { text } from "@/lib/validation/fields";
import { auditedTransaction } from "@/lib/audit/record";
import { recordSessionEvidence } from "@/lib/usage/session-evidence";

export const MAX_SESSION_EVENTS = 1000;
const DETAIL_LIMIT = 4000;

export const sessionEventInput = z
  .object({
    ...eventFields,
    sessionId: text({ message: "sessionId is required." })
      .trim()
      .min(1, "sessionId is required.")
      .max(EVENT_TEXT_MAX.sessionId, `sessionId is at most ${EVENT_TEXT_MAX.sessionId} characters.`),
    kind: z.enum(sessionEventKinds, { message: `kind is one of: ${sessionEventKinds.join(", ")}.` }),
    detail: text().max(100_000, "detail is at most 100,000 characters.").optional(),
  })
  .strict()
  // Session evidence is kept whatever its age; only its use of privilege is bound by the usage retention (below).
  .refine(...notInTheFuture);
export type SessionEventInput = z.input<typeof sessionEventInput>;

/**
 * Takes PAM session evidence (start, end, commands, queries) from a recorder
 * holding a usage:write token. Each event is linked to the grant whose window
 * covered it (a JIT grant first), kept once however often it is re-sent,
 * counted as usage of that entitlement, and flagged as a finding when no
 * active grant covered it.
 */
export async function ingestSessionEvents(db: Db, token: TokenPrincipal, body: string, contentType: string | null) {
  requireScope(token, "usage:write");
  const parsed = parseEventLines(body, contentType, sessionEventInput, MAX_SESSION_EVENTS);
  const source = `pam:${token.id}`;
  return auditedTransaction(db, async (tx) => {
    const { resolved, rejected } = parsed.good.length ? await resolveNames(tx, parsed.good, token.systemId) : { resolved: [], rejected: [] };
    const byLine = new Map(parsed.good.map((g) => [g.line, g]));
    const events = resolved.map((r) => {
      const e = byLine.get(r.line)!;
      const detail = e.detail && e.detail.length > DETAIL_LIMIT ? `${e.detail.slice(0, DETAIL_LIMIT)}… (truncated)` : (e.detail ?? null);
      return { ...r, eventId: e.eventId, sessionId: e.sessionId, kind: e.kind, detail, outcome: e.outcome, occurredAt: e.occurredAt.toISOString() };
    });
    const inserted = await recordSessionEvidence(tx, source, events, { tokenId: token.id });

    // Starting a session, running commands and queries are use of the privilege, folded where the usage store keeps it.
    const usage = inserted.filter((e) => e.kind !== "end" && unstorableReason(new Date(e.occurred_at)) === null);
    await recordUsage(
      tx,
      usage.map((e) => ({
        eventId: e.event_id,
        source,
        identityId: e.identity_id,
        entitlementId: e.entitlement_id,
        systemId: e.system_id,
        action: `session.${e.kind}`,
        outcome: e.outcome,
        sessionId: e.session_id,
        occurredAt: new Date(e.occurred_at),
      })),
    );
    const allRejected = [...parsed.rejected, ...rejected].sort((a, b) => a.line - b.line);
    return {
      accepted: inserted.length,
      duplicates: events.length - inserted.length,
      rejected: allRejected,
      outsideWindow: inserted.filter((e) => e.outside_window).length,
      sessions: [...new Set(inserted.map((e) => e.session_id))].map((sessionId) => {
        const first = inserted.find((e) => e.session_id === sessionId)!;
        return { sessionId, requestId: first.request_id, grantId: first.grant_id };
      }),
    };
  });
}
