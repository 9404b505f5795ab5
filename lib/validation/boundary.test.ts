/**
 * The input rules at every boundary, pinned one observed failure at a time:
 * each of these answered a 500 or silently stored nonsense before the rules
 * were applied at the boundary (lib/validation).
 */
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import * as auditRoute from "@/app/api/v1/audit/route";
import * as campaignsRoute from "@/app/api/v1/campaigns/route";
import * as connectorsRoute from "@/app/api/v1/connectors/route";
import * as identityRoute from "@/app/api/v1/identities/[id]/route";
import * as identitiesRoute from "@/app/api/v1/identities/route";
import * as policiesRoute from "@/app/api/v1/jit/policies/route";
import * as reconcileRoute from "@/app/api/v1/reconciliation/identities/[id]/route";
import * as rolesRoute from "@/app/api/v1/admin/roles/[identityId]/route";
import * as tokensRoute from "@/app/api/v1/tokens/route";
import * as rotatedRoute from "@/app/api/v1/credentials/[id]/rotated/route";
import { credentials, identities, roleAssignments } from "@/db/schema";
import type { Caller } from "@/lib/caller";
import { getCaller } from "@/lib/auth/auth";
import { makeCaller, makeEntitlement, makeNhi, makePerson, testDb } from "@/lib/testing/harness";
import { callRoute } from "@/lib/testing/routes";

vi.mock("@/lib/auth/auth", () => ({ getCaller: vi.fn(async () => null) }));
vi.mock("@/db/client", (importOriginal) => import("@/lib/testing/routes").then((m) => m.onTestDatabase(importOriginal)));

let admin: Caller;
beforeAll(async () => {
  admin = await makeCaller(await testDb(), ["admin"]);
  vi.mocked(getCaller).mockResolvedValue(admin);
});

const campaign = (extra: Record<string, unknown> = {}) => ({
  name: "Quarterly",
  reviewerStrategy: "owner_or_manager",
  fallbackReviewerId: admin.identityId,
  startsAt: "2026-01-01",
  dueAt: "2026-02-01",
  ...extra,
});

describe("text at the boundary: no NUL, no lone surrogate, a 422 naming the field instead of a 500", () => {
  it("query parameters (the inventory search, audit filters)", async () => {
    const q = await callRoute(identitiesRoute.GET, { path: "/api/v1/identities", query: { q: "svc\u0000" } });
    expect(q.status).toBe(422);
    expect(q.json.error.fieldErrors.q).toEqual([expect.stringContaining("NUL")]);
    const actor = await callRoute(auditRoute.GET, { path: "/api/v1/audit", query: { actor: "\u0000" } });
    expect(actor.status).toBe(422);
    expect(actor.json.error.fieldErrors).toHaveProperty("actor");
  });

  it("JSON fields: token, campaign, policy and connector names", async () => {
    const db = await testDb();
    const entitlement = await makeEntitlement(db);
    const cases = [
      [tokensRoute.POST, { name: "ci\u0000token", scopes: ["usage:write"] }],
      [tokensRoute.POST, { name: "ci \ud800 token", scopes: ["usage:write"] }],
      [campaignsRoute.POST, campaign({ name: "Quarterly\u0000" })],
      [policiesRoute.POST, { name: "Prod\u0000db", entitlementId: entitlement.id, maxDurationMinutes: 60, defaultDurationMinutes: 30, approvalsRequired: 1 }],
      [connectorsRoute.POST, { name: "hook\u0000", kind: "postgres", systemId: entitlement.systemId, url: "postgres://x@127.0.0.1:1/x" }],
    ] as const;
    for (const [handler, body] of cases) {
      const res = await callRoute(handler, { body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.json.error.fieldErrors).toHaveProperty("name");
    }
  });

  it("path segments: an identity named with a NUL is refused before any query", async () => {
    const res = await callRoute(reconcileRoute.GET, { params: { id: "arn:aws:iam::1:user/a\u0000" } });
    expect(res.status).toBe(422);
    expect(res.json.error.fieldErrors).toHaveProperty("path.id");
  });

  it("what the identity form sends (forms call the API, the one mutation transport)", async () => {
    const nhi = await makeNhi(await testDb());
    const res = await callRoute(identityRoute.PATCH, { method: "PATCH", params: { id: nhi.id }, body: { purpose: "Runs\u0000 the export" } });
    expect(res.status).toBe(422);
    expect(res.json.error).toMatchObject({ code: "validation_failed", fieldErrors: { purpose: [expect.stringContaining("NUL")] } });
  });

  it("bodies nested deeper than any reader allows", async () => {
    const deep = '{"name":'.repeat(5000) + '"x"' + "}".repeat(5000);
    const res = await callRoute(tokensRoute.POST, { body: deep });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.json.error.fieldErrors)).toContain("nests deeper than 32 levels");
  });
});

describe("dates and numbers: no coercion into 1970, year 1 or 1", () => {
  it("a filter date outside PostgreSQL's range is a 422, not a 500", async () => {
    const res = await callRoute(auditRoute.GET, { query: { from: "-271821-04-20T00:00:00Z" } });
    expect(res.status).toBe(422);
    expect(res.json.error.fieldErrors.from).toEqual([expect.stringContaining("From must be a date")]);
  });

  it("nextAttestationAt: true or -1 are refused; null still clears it", async () => {
    const db = await testDb();
    const nhi = await makeNhi(db, { ownerId: (await makePerson(db)).id });
    for (const value of [true, -1, "0001-01-01"]) {
      const res = await callRoute(identityRoute.PATCH, { method: "PATCH", params: { id: nhi.id }, body: { nextAttestationAt: value } });
      expect(res.status, String(value)).toBe(422);
      expect(res.json.error.fieldErrors.nextAttestationAt).toBeDefined();
    }
    expect((await db.select({ at: identities.nextAttestationAt }).from(identities).where(eq(identities.id, nhi.id)))[0].at).toBeNull();
    const cleared = await callRoute(identityRoute.PATCH, { method: "PATCH", params: { id: nhi.id }, body: { nextAttestationAt: null } });
    expect(cleared.status, cleared.text).toBe(200);
  });

  it("campaign startsAt: true is refused", async () => {
    const res = await callRoute(campaignsRoute.POST, { body: campaign({ startsAt: true }) });
    expect(res.status).toBe(422);
    expect(res.json.error.fieldErrors.startsAt).toEqual([expect.stringContaining("Start must be a date")]);
  });

  it("rotatedAt: true is refused and the credential keeps its rotation date", async () => {
    const db = await testDb();
    const nhi = await makeNhi(db);
    const [credential] = await db
      .insert(credentials)
      .values({ identityId: nhi.id, type: "api_token", label: "tok", issuedAt: new Date("2026-01-01T00:00:00Z") })
      .returning();
    const res = await callRoute(rotatedRoute.POST, { params: { id: credential.id }, body: { rotatedAt: true } });
    expect(res.status).toBe(422);
    expect(res.json.error.fieldErrors.rotatedAt).toBeDefined();
    expect((await db.select().from(credentials).where(eq(credentials.id, credential.id)))[0].lastRotatedAt).toBeNull();
  });

  it("approvalsRequired: true is refused, not read as 1", async () => {
    const entitlement = await makeEntitlement(await testDb());
    const res = await callRoute(policiesRoute.POST, {
      body: { name: "Prod db", entitlementId: entitlement.id, maxDurationMinutes: 60, defaultDurationMinutes: 30, approvalsRequired: true },
    });
    expect(res.status).toBe(422);
    expect(res.json.error.fieldErrors.approvalsRequired).toEqual(["Approvals must be a whole number."]);
  });

  it("a JIT policy with a 15-minute maximum and no break-glass is created (the unused break-glass default does not count)", async () => {
    const entitlement = await makeEntitlement(await testDb());
    const res = await callRoute(policiesRoute.POST, {
      body: { name: "Quick fixes", entitlementId: entitlement.id, maxDurationMinutes: 15, defaultDurationMinutes: 15, approvalsRequired: 1 },
    });
    expect(res.status, res.text).toBe(201);
    const withBreakGlass = await callRoute(policiesRoute.POST, {
      body: {
        name: "Quick fixes 2",
        entitlementId: entitlement.id,
        maxDurationMinutes: 15,
        defaultDurationMinutes: 15,
        approvalsRequired: 1,
        breakGlass: true,
      },
    });
    expect(withBreakGlass.status).toBe(422);
    expect(withBreakGlass.json.error.fieldErrors.breakGlassMaxMinutes).toEqual(["Break-glass cannot last longer than the policy's maximum."]);
  });
});

describe("a body is the whole change: unknown keys are refused", () => {
  it("role updates", async () => {
    const db = await testDb();
    const person = await makePerson(db);
    const res = await callRoute(rolesRoute.PUT, { method: "PUT", params: { identityId: person.id }, body: { roles: ["reviewer"], role: "admin" } });
    expect(res.status).toBe(422);
    expect(res.json.error.fieldErrors._).toEqual([expect.stringContaining('"role"')]);
    expect(await db.select().from(roleAssignments).where(eq(roleAssignments.identityId, person.id))).toEqual([]);
  });
});
