import { and, count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { entitlements, identities, usageActionDaily, usageEvents, usageRollups } from "@/db/schema";
import { authenticateToken, issueToken } from "@/lib/auth/tokens";
import { makeCaller, makeGrant, makeNhi, makeSystem, testDb, uniq } from "@/lib/testing/harness";
import { ingestUsageEvents } from "./usage-api";

const ndjson = (rows: unknown[]) => rows.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join("\n");

describe("usage ingestion API", () => {
  it("one bad line loses nothing: 100 good lines and one with a NUL store 100 and name the bad line and why", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const nhi = await makeNhi(db);
    const token = (await authenticateToken(db, (await issueToken(db, admin, { name: uniq("log source"), scopes: ["usage:write"] })).token))!;
    const at = new Date(Date.now() - 60_000).toISOString();
    const good = Array.from({ length: 100 }, (_, i) => ({ eventId: `g${i}`, identity: nhi.id, action: "s3:GetObject", occurredAt: at }));
    const lines = [...good.slice(0, 50), { eventId: "bad", identity: nhi.id, action: "s3:Get\u0000Object", occurredAt: at }, ...good.slice(50)];
    // A lone surrogate and a year-1 date on lines of their own are refused the same way.
    lines.push(
      { eventId: "bad2", identity: nhi.id, action: "s3:\ud800", occurredAt: at },
      { eventId: "bad3", identity: nhi.id, action: "s3:GetObject", occurredAt: "0001-01-01" },
    );
    const result = await ingestUsageEvents(db, token, ndjson(lines), "application/x-ndjson");
    expect(result).toMatchObject({ received: 103, accepted: 100, duplicates: 0 });
    expect(result.rejected).toEqual([
      { line: 51, eventId: "bad", errors: ["action: must not contain the NUL character (U+0000)."] },
      { line: 102, eventId: "bad2", errors: ["action: must be well-formed Unicode (it holds a lone UTF-16 surrogate)."] },
      { line: 103, eventId: "bad3", errors: ["occurredAt: occurredAt must be between 1970-01-01 and 9999-12-31."] },
    ]);
    const [{ n }] = await db.select({ n: count() }).from(usageEvents).where(eq(usageEvents.identityId, nhi.id));
    expect(n).toBe(100);
  });

  it("keeps good lines, rejects bad ones by line number, infers the entitlement from the action, and is idempotent", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const system = await makeSystem(db);
    const nhi = await makeNhi(db, { systemId: system.id });
    await db
      .update(identities)
      .set({ externalId: `arn:aws:iam::123456789012:role/${nhi.name}` })
      .where(eq(identities.id, nhi.id));
    const { entitlement } = await makeGrant(db, nhi.id, { systemId: system.id });
    await db
      .update(entitlements)
      .set({ permissions: [{ effect: "Allow", actions: ["s3:Get*"], conditional: false, allResources: true }] })
      .where(eq(entitlements.id, entitlement.id));
    const named = await makeGrant(db, nhi.id, { systemId: system.id });
    const token = (await authenticateToken(
      db,
      (await issueToken(db, admin, { name: uniq("log source"), scopes: ["usage:write"], systemId: system.id })).token,
    ))!;
    const now = Date.now();
    const body = ndjson([
      { eventId: "u1", identity: `arn:aws:iam::123456789012:role/${nhi.name}`, action: "s3:GetObject", occurredAt: new Date(now - 60_000).toISOString() },
      { eventId: "u2", identity: nhi.name, action: "s3:PutObject", occurredAt: new Date(now - 50_000).toISOString() },
      {
        eventId: "u3",
        identity: nhi.id,
        action: "SELECT",
        entitlement: named.entitlement.name,
        outcome: "denied",
        occurredAt: new Date(now - 40_000).toISOString(),
      },
      "not json at all",
      { eventId: "u5", identity: nhi.name, action: "s3:GetObject", occurredAt: "tomorrow" },
      { eventId: "u6", identity: "who-is-this", action: "s3:GetObject", occurredAt: new Date(now).toISOString() },
      { eventId: "u7", identity: nhi.name, occurredAt: new Date(now).toISOString(), extra: true },
    ]);
    const result = await ingestUsageEvents(db, token, body, "application/x-ndjson");
    expect(result).toEqual({
      received: 7,
      accepted: 3,
      duplicates: 0,
      rejected: [
        { line: 4, errors: ["Not valid JSON."] },
        { line: 5, eventId: "u5", errors: [expect.stringMatching(/^occurredAt: occurredAt must be a date, as YYYY-MM-DD/)] },
        { line: 6, errors: ['identity: no identity "who-is-this".'] },
        { line: 7, eventId: "u7", errors: ["action: action is required.", 'Unrecognized key: "extra"'] },
      ],
    });
    const rollup = async (entitlementId: string) =>
      (
        await db
          .select()
          .from(usageRollups)
          .where(and(eq(usageRollups.identityId, nhi.id), eq(usageRollups.entitlementId, entitlementId)))
      )[0];
    expect(await rollup(entitlement.id)).toMatchObject({ successCount: 1 });
    expect(await rollup(named.entitlement.id)).toMatchObject({ successCount: 0, deniedCount: 1 });
    const actions = await db.select().from(usageActionDaily).where(eq(usageActionDaily.identityId, nhi.id));
    expect(actions.map((a) => a.action).sort()).toEqual(["SELECT", "s3:GetObject", "s3:PutObject"]);

    expect(await ingestUsageEvents(db, token, body, "application/x-ndjson")).toMatchObject({ accepted: 0, duplicates: 3 });
    expect((await rollup(entitlement.id)).successCount).toBe(1);
    await expect(ingestUsageEvents(db, token, ndjson(Array.from({ length: 10_001 }, (_, i) => ({ eventId: `x${i}` }))), null)).rejects.toMatchObject({
      status: 422,
      fieldErrors: { events: ["At most 10,000 events a request."] },
    });
  });

  it("refuses a token without the usage:write scope and stores nothing", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const nhi = await makeNhi(db);
    const idp = (await authenticateToken(db, (await issueToken(db, admin, { name: uniq("identity provider"), scopes: ["scim"] })).token))!;
    const body = ndjson([{ eventId: "s1", identity: nhi.id, action: "SELECT", occurredAt: new Date().toISOString() }]);
    await expect(ingestUsageEvents(db, idp, body, "application/x-ndjson")).rejects.toMatchObject({ status: 403 });
    expect(await db.select().from(usageActionDaily).where(eq(usageActionDaily.identityId, nhi.id))).toEqual([]);
  });
});
