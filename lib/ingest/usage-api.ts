import { z } from "zod";
import type { Db } from "@/db/client";
import { requireScope, type TokenPrincipal } from "@/lib/auth/tokens";
import { permissionSetsOf } from "@/lib/permissions/sets";
import { EVENT_TEXT_MAX, recordUsage, type UsageEventInput } from "@/lib/usage/record";
import { text } from "@/lib/validation/fields";
import { eventFields, storableTime, parseEventLines, resolveNames } from "./lines";
import { auditedTransaction } from "@/lib/audit/record";

export const MAX_USAGE_EVENTS = 10_000;

export const usageEventInput = z
  .object({
    ...eventFields,
    // The action or API call, e.g. "s3:GetObject", "SELECT", "kubectl exec"; for cloud identities the entitlement is inferred from it.
    action: text({ message: "action is required." })
      .trim()
      .min(1, "action is required.")
      .max(EVENT_TEXT_MAX.action, `action is at most ${EVENT_TEXT_MAX.action} characters.`),
    sessionId: text().trim().max(EVENT_TEXT_MAX.sessionId, `sessionId is at most ${EVENT_TEXT_MAX.sessionId} characters.`).optional(),
  })
  .strict()
  .refine(...storableTime);

/**
 * Usage evidence from a log source holding a usage:write token: NDJSON or
 * {"events": [...]}, up to 10,000 events. Each names its identity by id,
 * name or external id; bad lines come back with their line number and
 * reason and the good ones are kept. Idempotent by event id and time within
 * the token's source (an event is one moment: the same id sent again with
 * another time is another event), folded into the roll-ups as stored.
 */
export async function ingestUsageEvents(db: Db, token: TokenPrincipal, body: string, contentType: string | null) {
  requireScope(token, "usage:write");
  const parsed = parseEventLines(body, contentType, usageEventInput, MAX_USAGE_EVENTS);
  const source = `api:${token.id}`;
  const { resolved, rejected } = parsed.good.length ? await resolveNames(db, parsed.good, token.systemId) : { resolved: [], rejected: [] };
  const byLine = new Map(parsed.good.map((g) => [g.line, g]));
  // Cloud identities: the entitlement approving the action takes the use, as CloudTrail imports do.
  const permissions = await permissionSetsOf(db, [...new Set(resolved.filter((r) => !r.entitlementId).map((r) => r.identityId))]);
  const events: UsageEventInput[] = resolved.map((r) => {
    const e = byLine.get(r.line)!;
    return {
      eventId: e.eventId,
      source,
      identityId: r.identityId,
      entitlementId: r.entitlementId ?? permissions.get(r.identityId)?.approvalFor(e.action, r.systemId) ?? null,
      systemId: r.systemId,
      action: e.action,
      outcome: e.outcome,
      sessionId: e.sessionId ?? null,
      occurredAt: e.occurredAt,
    };
  });
  const stored = events.length ? await auditedTransaction(db, (tx) => recordUsage(tx, events)) : { inserted: 0, duplicates: 0, denied: 0 };
  return {
    received: parsed.good.length + parsed.rejected.length,
    accepted: stored.inserted,
    duplicates: stored.duplicates,
    rejected: [...parsed.rejected, ...rejected].sort((a, b) => a.line - b.line),
  };
}
