import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { findings, identities, pamSessionEvents, usageEvents, pamSessions, usageRollups } from "@/db/schema";
import { authenticateToken, issueToken } from "@/lib/auth/tokens";
import { decideRequest } from "@/lib/jit/decide";
import { getRequest } from "@/lib/jit/detail";
import { createRequest } from "@/lib/jit/request";
import { asking, jitOrg } from "@/lib/jit/test-fixtures";
import { testDb } from "@/lib/testing/harness";
import { ingestSessionEvents } from "./ingest";

const ndjson = (rows: unknown[]) => rows.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join("\n");

describe("PAM session evidence", () => {
  it("one bad line loses nothing: 100 good events and one whose detail holds a NUL store 100 and name the bad line", async () => {
    const db = await testDb();
    const { admin, requester, system } = await jitOrg(db);
    const token = (await authenticateToken(
      db,
      (await issueToken(db, admin, { name: "bastion recorder 2", scopes: ["usage:write"], systemId: system.id })).token,
    ))!;
    const at = new Date(Date.now() - 60_000).toISOString();
    const session = `s-${Date.now()}`;
    const good = Array.from({ length: 100 }, (_, i) => ({
      eventId: `${session}-${i}`,
      sessionId: session,
      identity: requester.identityId,
      kind: "command",
      detail: `ls ${i}`,
      occurredAt: at,
    }));
    const body = ndjson([
      ...good,
      { eventId: `${session}-bad`, sessionId: session, identity: requester.identityId, kind: "command", detail: "cat /etc/passwd\u0000", occurredAt: at },
    ]);
    const result = await ingestSessionEvents(db, token, body, "application/x-ndjson");
    expect(result).toMatchObject({ accepted: 100, duplicates: 0 });
    expect(result.rejected).toEqual([{ line: 101, eventId: `${session}-bad`, errors: ["detail: must not contain the NUL character (U+0000)."] }]);
    const [stored] = await db.select({ n: pamSessions.eventCount }).from(pamSessions).where(eq(pamSessions.sessionId, session));
    expect(stored.n).toBe(100);
    expect(
      (
        await db
          .select()
          .from(pamSessionEvents)
          .where(eq(pamSessionEvents.eventId, `${session}-bad`))
      ).length,
    ).toBe(0);
  });

  it("links session events to the grant that covered them, counts them as usage once, and flags what no grant covered", async () => {
    const db = await testDb();
    const { admin, approvers, requester, outsider, entitlement, system } = await jitOrg(db);
    const r = await createRequest(db, requester, asking(entitlement.id));
    const { startsAt } = await decideRequest(db, approvers[0], r.id, "approve", {});
    const [person] = await db.select({ name: identities.name }).from(identities).where(eq(identities.id, requester.identityId));
    const issued = await issueToken(db, admin, { name: "bastion recorder", scopes: ["usage:write"], systemId: system.id });
    const token = (await authenticateToken(db, issued.token))!;
    const at = (s: number) => new Date(startsAt!.getTime() + s * 1000).toISOString();
    const body = ndjson([
      { eventId: "e1", sessionId: "s-1", identity: person.name, kind: "start", occurredAt: at(0) },
      {
        eventId: "e2",
        sessionId: "s-1",
        identity: requester.identityId,
        entitlement: entitlement.name,
        kind: "query",
        detail: "select pg_terminate_backend(4242)",
        occurredAt: at(5),
      },
      "{not json",
      { eventId: "e3", sessionId: "s-1", identity: person.name, kind: "command", occurredAt: "yesterday-ish" },
      { eventId: "e4", sessionId: "s-1", identity: person.name, kind: "end", occurredAt: at(30) },
      { eventId: "e5", sessionId: "s-2", identity: outsider.identityId, kind: "command", detail: "drop table ledger", occurredAt: at(10) },
      { eventId: "e6", sessionId: "s-3", identity: "nobody-by-that-name", kind: "start", occurredAt: at(1) },
    ]);
    const result = await ingestSessionEvents(db, token, body, "application/x-ndjson");
    expect(result).toMatchObject({ accepted: 4, duplicates: 0, outsideWindow: 1 });
    expect(result.rejected).toEqual([
      { line: 3, errors: ["Not valid JSON."] },
      { line: 4, eventId: "e3", errors: [expect.stringMatching(/^occurredAt: occurredAt must be a date, as YYYY-MM-DD/)] },
      { line: 7, errors: ['identity: no identity "nobody-by-that-name".'] },
    ]);
    expect(result.sessions).toEqual(
      expect.arrayContaining([
        { sessionId: "s-1", requestId: r.id, grantId: expect.any(String) },
        { sessionId: "s-2", requestId: null, grantId: null },
      ]),
    );

    const [session] = await db
      .select()
      .from(pamSessions)
      .where(and(eq(pamSessions.sessionId, "s-1"), eq(pamSessions.source, `pam:${token.id}`)));
    expect(session).toMatchObject({ requestId: r.id, eventCount: 3, outsideWindowCount: 0, endedAt: new Date(at(30)) });
    const [rollup] = await db
      .select()
      .from(usageRollups)
      .where(and(eq(usageRollups.identityId, requester.identityId), eq(usageRollups.entitlementId, entitlement.id)));
    expect(rollup.successCount).toBe(2);
    const detail = await getRequest(db, requester, r.id);
    expect(detail.sessions).toEqual([
      expect.objectContaining({
        sessionId: "s-1",
        events: [
          expect.objectContaining({ kind: "start" }),
          expect.objectContaining({ kind: "query", detail: "select pg_terminate_backend(4242)" }),
          expect.objectContaining({ kind: "end" }),
        ],
      }),
    ]);
    expect(detail.usageCount).toBe(2);
    const flagged = await db.select().from(findings).where(eq(findings.identityId, outsider.identityId));
    expect(flagged).toEqual([expect.objectContaining({ kind: "outside_grant_window", status: "open", severity: "high", source: "jit.session" })]);

    // Re-sending the batch changes nothing.
    const again = await ingestSessionEvents(db, token, body, "application/x-ndjson");
    expect(again).toMatchObject({ accepted: 0, duplicates: 4 });
    const [same] = await db.select().from(pamSessions).where(eq(pamSessions.id, session.id));
    expect(same.eventCount).toBe(3);
    const [rollupAgain] = await db
      .select()
      .from(usageRollups)
      .where(and(eq(usageRollups.identityId, requester.identityId), eq(usageRollups.entitlementId, entitlement.id)));
    expect(rollupAgain.successCount).toBe(2);
  });

  it("keeps session evidence older than the usage retention, without folding it into usage, and refuses the future", async () => {
    const db = await testDb();
    const { admin, requester, system } = await jitOrg(db);
    const token = (await authenticateToken(
      db,
      (await issueToken(db, admin, { name: "bastion recorder 3", scopes: ["usage:write"], systemId: system.id })).token,
    ))!;
    const session = `old-${Date.now()}`;
    const old = new Date(Date.now() - 500 * 86_400_000).toISOString();
    const ahead = new Date(Date.now() + 3_600_000).toISOString();
    const body = ndjson([
      { eventId: `${session}-1`, sessionId: session, identity: requester.identityId, kind: "command", detail: "ls", occurredAt: old },
      { eventId: `${session}-2`, sessionId: session, identity: requester.identityId, kind: "command", detail: "ls", occurredAt: ahead },
    ]);
    const result = await ingestSessionEvents(db, token, body, "application/x-ndjson");
    expect(result).toMatchObject({ accepted: 1 });
    expect(result.rejected).toEqual([{ line: 2, eventId: `${session}-2`, errors: ["occurredAt: occurredAt is in the future."] }]);
    expect(
      await db
        .select()
        .from(pamSessionEvents)
        .where(eq(pamSessionEvents.eventId, `${session}-1`)),
    ).toHaveLength(1);
    expect(
      await db
        .select()
        .from(usageEvents)
        .where(eq(usageEvents.eventId, `${session}-1`)),
    ).toHaveLength(0);
  });

  it("takes a JSON body too, and refuses empty or oversized batches", async () => {
    const db = await testDb();
    const { admin, requester, system } = await jitOrg(db);
    const token = (await authenticateToken(db, (await issueToken(db, admin, { name: "recorder", scopes: ["usage:write"], systemId: system.id })).token))!;
    await expect(ingestSessionEvents(db, token, "", null)).rejects.toMatchObject({ status: 422 });
    await expect(
      ingestSessionEvents(db, token, JSON.stringify({ events: Array.from({ length: 1001 }, () => ({})) }), "application/json"),
    ).rejects.toMatchObject({
      fieldErrors: { events: ["At most 1,000 events a request."] },
    });
    const ok = await ingestSessionEvents(
      db,
      token,
      JSON.stringify({ events: [{ eventId: "j1", sessionId: "js", identity: requester.identityId, kind: "start", occurredAt: new Date().toISOString() }] }),
      "application/json",
    );
    expect(ok).toMatchObject({ accepted: 1, outsideWindow: 1 });
  });
});
