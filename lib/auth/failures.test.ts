import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { auditLog, authFailures } from "@/db/schema";
import { GET as me } from "@/app/api/v1/me/route";
import { PEER_ADDRESS_HEADER } from "@/lib/http/peer";
import { scimCaller, scimClient } from "@/lib/scim/test-client";
import { makeCaller, makeNhi } from "@/lib/testing/harness";
import { failureSettings, forgetBlockedSources, sweepFailures } from "./failures";
import { appDatabase, authBrowser } from "@/lib/testing/auth";
import { issueToken } from "./tokens";

type Db = Awaited<ReturnType<typeof appDatabase>>;

const LIMIT = 5;
const WINDOW_MS = 60_000;
let n = 0;
// A fresh documentation-range address per test: on PostgreSQL every test file shares the table.
const freshSource = () => `198.18.${Math.floor(Math.random() * 250)}.${(n++ % 250) + 1}`;
const wrongToken = (i: number) => `gov_${String(i).padStart(43, "0")}`;

function callMe(source: string, bearer: string) {
  return me(new Request("http://localhost/api/v1/me", { headers: { authorization: `Bearer ${bearer}`, [PEER_ADDRESS_HEADER]: source } }), {
    params: Promise.resolve({}),
  });
}

async function validToken(db: Db) {
  const admin = await makeCaller(db, ["admin"]);
  const nhi = await makeNhi(db, { ownerId: admin.identityId });
  return (await issueToken(db, admin, { name: "pipeline", scopes: ["jit:read"], identityId: nhi.id })).token;
}

const limitAudits = (db: Db, source: string) =>
  db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, "auth.rate_limited"), eq(auditLog.entityId, source)));

// Each test starts 1 s into a window, so counts never straddle two windows.
let windowStart = 0;
const suiteSettings = { limit: process.env.AUTH_FAILURE_LIMIT, window: process.env.AUTH_FAILURE_WINDOW_SECONDS };
beforeAll(() => {
  process.env.AUTH_FAILURE_LIMIT = String(LIMIT);
  process.env.AUTH_FAILURE_WINDOW_SECONDS = String(WINDOW_MS / 1000);
  vi.useFakeTimers({ toFake: ["Date"] });
});
beforeEach(() => {
  windowStart = (Math.floor(Date.now() / WINDOW_MS) + 1) * WINDOW_MS;
  vi.setSystemTime(windowStart + 1000);
  forgetBlockedSources();
});
afterAll(() => {
  vi.useRealTimers();
  // Assigning undefined to process.env would store the string "undefined".
  for (const [key, value] of [
    ["AUTH_FAILURE_LIMIT", suiteSettings.limit],
    ["AUTH_FAILURE_WINDOW_SECONDS", suiteSettings.window],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe("failed API token authentications", () => {
  it("are answered 429 with Retry-After past the limit, for every token the source presents, audited once per burst", async () => {
    const db = await appDatabase();
    const good = await validToken(db);
    const attacker = freshSource();
    for (let i = 0; i < LIMIT; i++) expect((await callMe(attacker, wrongToken(i))).status).toBe(401);

    const blocked = await callMe(attacker, wrongToken(LIMIT));
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("retry-after")).toBe("59");
    expect(await blocked.json()).toMatchObject({ error: { code: "rate_limited" } });
    for (let i = 0; i < 50; i++) expect((await callMe(attacker, wrongToken(100 + i))).status).toBe(429);
    // A right guess from the blocked source is not recognised either.
    expect((await callMe(attacker, good)).status).toBe(429);

    // Everyone else is unaffected.
    expect((await callMe(freshSource(), good)).status).toBe(200);

    const audits = await limitAudits(db, attacker);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorId: null, entityType: "auth_source", after: { channel: "api", failures: LIMIT + 1, limit: LIMIT } });
    const [row] = await db.select().from(authFailures).where(eq(authFailures.source, attacker));
    expect(row.failures).toBe(LIMIT + 1); // refusals from memory cost nothing more

    // The next window starts afresh.
    vi.setSystemTime(windowStart + WINDOW_MS + 1000);
    expect((await callMe(attacker, good)).status).toBe(200);
    expect((await callMe(attacker, wrongToken(999))).status).toBe(401);
  });

  it("are counted across app instances through the database", async () => {
    const db = await appDatabase();
    const good = await validToken(db);
    const attacker = freshSource();
    // Instance A sees three failures, instance B (nothing in memory) two more: the limit is reached between them.
    for (let i = 0; i < 3; i++) expect((await callMe(attacker, wrongToken(i))).status).toBe(401);
    forgetBlockedSources();
    for (let i = 3; i < LIMIT; i++) expect((await callMe(attacker, wrongToken(i))).status).toBe(401);
    expect((await callMe(attacker, wrongToken(LIMIT))).status).toBe(429);
    // Instance C has not heard: its first failure from the source is already over the limit.
    forgetBlockedSources();
    expect((await callMe(attacker, wrongToken(LIMIT + 1))).status).toBe(429);
    expect((await callMe(attacker, good)).status).toBe(429);
    expect(await limitAudits(db, attacker)).toHaveLength(1);
  });

  it("successes cost no write", async () => {
    const db = await appDatabase();
    const good = await validToken(db);
    const source = freshSource();
    for (let i = 0; i < 20; i++) expect((await callMe(source, good)).status).toBe(200);
    expect(await db.select().from(authFailures).where(eq(authFailures.source, source))).toEqual([]);
  });

  it("windows that ended are swept away", async () => {
    const db = await appDatabase();
    const source = freshSource();
    await callMe(source, wrongToken(1));
    vi.setSystemTime(windowStart + WINDOW_MS + 1000);
    await callMe(source, wrongToken(2));
    await sweepFailures(db);
    const left = await db.select().from(authFailures).where(eq(authFailures.source, source));
    expect(left.map((r) => r.windowStart.getTime())).toEqual([windowStart + WINDOW_MS]);
  });

  it("reads its settings strictly", () => {
    expect(failureSettings({})).toEqual({ limit: 10, windowMs: 60_000 });
    expect(() => failureSettings({ AUTH_FAILURE_LIMIT: "0" })).toThrow(/AUTH_FAILURE_LIMIT/);
    expect(() => failureSettings({ AUTH_FAILURE_WINDOW_SECONDS: "1.5" })).toThrow(/AUTH_FAILURE_WINDOW_SECONDS/);
  });
});

describe("failed SCIM token authentications", () => {
  it("are answered 429 in SCIM's error format, other sources unaffected", async () => {
    const db = await appDatabase();
    const { bearer } = await scimClient(db);
    const attacker = freshSource();
    const asAttacker = (token: string) => scimCaller(db, token)("GET", "/Users", { headers: { [PEER_ADDRESS_HEADER]: attacker } });
    for (let i = 0; i < LIMIT; i++) expect((await asAttacker(wrongToken(i))).status).toBe(401);
    const blocked = await asAttacker(wrongToken(LIMIT));
    expect(blocked.status).toBe(429);
    expect(blocked.headers["Retry-After"]).toBe("59");
    expect(blocked.json).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "429" });
    expect((await asAttacker(bearer)).status).toBe(429);
    expect((await scimCaller(db, bearer)("GET", "/Users?count=1", { headers: { [PEER_ADDRESS_HEADER]: freshSource() } })).status).toBe(200);
    expect((await limitAudits(db, attacker))[0]).toMatchObject({ after: { channel: "scim" } });
  });
});

describe("failed sign-ins", () => {
  it("are answered 429 past the limit", async () => {
    await appDatabase();
    const source = freshSource();
    const browser = authBrowser(source);
    for (let i = 0; i < LIMIT; i++) {
      const res = await browser.signInAs("root");
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toMatch(/\/signin\?error=CredentialsSignin/);
    }
    const blocked = await browser.signInAs("root");
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("retry-after")).toBe("59");
    // Another address signs in as usual (or fails as usual).
    expect((await authBrowser(freshSource()).signInAs("root")).status).toBe(302);
  });
});
