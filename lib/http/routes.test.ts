/**
 * The HTTP boundary of every route handler under app/api/v1, called as Next
 * calls it: without a session or token (401), with a forged token (401), as a
 * cross-site write carrying an admin's cookie (403), as an admin naming ids
 * that do not exist (404, or 422 for a body that is not valid), and as a
 * read-only auditor writing (403). A new route joins the matrix by existing;
 * the expected table below must then name it.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { Caller } from "@/lib/caller";
import { getCaller } from "@/lib/auth/auth";
import { makeCaller, testDb } from "@/lib/testing/harness";
import { callRoute, type RouteHandler } from "@/lib/testing/routes";

vi.mock("@/lib/auth/auth", () => ({ getCaller: vi.fn(async () => null) }));
vi.mock("@/db/client", (importOriginal) => import("@/lib/testing/routes").then((m) => m.onTestDatabase(importOriginal)));

const root = path.resolve(__dirname, "../..");
const methods = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Endpoint = { name: string; method: (typeof methods)[number]; handler: RouteHandler; params: Record<string, string> };

async function endpoints(): Promise<Endpoint[]> {
  const dir = path.join(root, "app/api/v1");
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith("route.ts")).sort();
  const out: Endpoint[] = [];
  for (const file of files) {
    const mod = (await import(path.join(dir, file))) as Record<string, RouteHandler>;
    const route = `/${path.dirname(file)}`;
    const params = Object.fromEntries([...route.matchAll(/\[(\w+)\]/g)].map((m) => [m[1], "00000000-0000-4000-8000-00000000dead"]));
    for (const method of methods) if (mod[method]) out.push({ name: `${method} ${route}`, method, handler: mod[method], params });
  }
  return out;
}

let all: Endpoint[];
let admin: Caller;
let auditor: Caller;
beforeAll(async () => {
  const db = await testDb();
  admin = await makeCaller(db, ["admin"]);
  auditor = await makeCaller(db, ["auditor"]);
  all = await endpoints();
}, 120_000);

async function statuses(caller: Caller | null, opts: { bearer?: string; headers?: Record<string, string>; writesOnly?: boolean } = {}) {
  vi.mocked(getCaller).mockResolvedValue(caller);
  const out: Record<string, number> = {};
  for (const e of all) {
    if (opts.writesOnly && e.method === "GET") continue;
    const res = await callRoute(e.handler, {
      method: e.method,
      params: e.params,
      body: e.method === "GET" ? undefined : {},
      bearer: opts.bearer,
      headers: opts.headers,
    });
    out[e.name] = res.status;
  }
  return out;
}

/** Machine sources: only a bearer token with the scope gets in, never a session (so a cookie, forged or not, is a 401). */
const tokenOnly = new Set(["POST /credentials/revocations", "POST /credentials/rotations", "POST /sessions/events", "POST /usage/events"]);

/**
 * Writes a read-only person may still make, on their own things only: marking
 * their notifications read and choosing where their notices go (422 here: the
 * body names none), ending their own
 * JIT window or taking its credential (404 here: the id is unknown).
 */
const ownThings: Record<string, number> = {
  "POST /notifications/read": 422,
  "PUT /me/notification-preferences": 422,
  "POST /jit/requests/[id]/cancel": 404,
  "POST /jit/requests/[id]/credential": 404,
  "POST /jit/requests/[id]/release": 404,
};

/** An admin naming ids that do not exist, with an empty body: lists answer 200, a missing id 404, an invalid body 422. */
const asAdmin: Record<string, number> = {
  "PUT /admin/roles/[identityId]": 422,
  "GET /admin/roles": 200,
  "GET /admin/notification-defaults": 200,
  "PUT /admin/notification-defaults": 422,
  "GET /attestation-policies": 200,
  "PUT /attestation-policies/[kind]": 404,
  "POST /attestations/[identityId]": 404,
  "GET /attestations": 200,
  "GET /audit": 200,
  "GET /audit/export": 200,
  "GET /audit/verify": 200,
  "POST /campaigns/[id]/cancel": 422,
  "POST /campaigns/[id]/close": 404,
  "GET /campaigns/[id]/export": 404,
  "POST /campaigns/[id]/launch": 404,
  "GET /campaigns/[id]": 404,
  "PATCH /campaigns/[id]": 422,
  "POST /campaigns/[id]/clone": 404,
  "POST /campaigns/[id]/sign-off": 404,
  "GET /campaigns": 200,
  "POST /campaigns": 422,
  "POST /connector-deliveries/[id]/redeliver": 404,
  "POST /connectors/[id]/check": 404,
  "POST /connectors/[id]/retire-ca": 422,
  "POST /connectors/[id]/rotate-ca": 404,
  "GET /connectors/[id]": 404,
  "PATCH /connectors/[id]": 404,
  "GET /connectors": 200,
  "POST /connectors": 422,
  "GET /credential-policies": 200,
  "PUT /credential-policies": 422,
  "POST /credentials/[id]/revoked": 404,
  "POST /credentials/[id]/rotated": 404,
  "POST /credentials/revocations": 401,
  "POST /credentials/rotations": 401,
  "GET /credentials/tasks": 200,
  "GET /dashboard/risk": 200,
  "POST /entitlements": 422,
  "PATCH /entitlements/[id]": 404,
  "GET /dashboard/summary": 200,
  "POST /findings/actions": 422,
  "GET /findings/export": 200,
  "GET /findings": 200,
  "GET /identities/[id]/access": 404,
  "GET /identities/[id]/effective-permissions": 404,
  "GET /identities/[id]/escalation": 404,
  "GET /identities/[id]/lifecycle": 404,
  "POST /identities/[id]/offboard": 422,
  "GET /identities/[id]": 404,
  "PATCH /identities/[id]": 404,
  "GET /identities": 200,
  "POST /imports/aws-iam": 422,
  "POST /imports/github-audit": 422,
  "POST /imports/github": 422,
  "POST /imports/k8s-audit": 422,
  "POST /imports/k8s-rbac": 422,
  "POST /imports/ldap-groups": 422,
  "POST /imports/pg-log": 422,
  "POST /imports/pg-roles": 422,
  "POST /imports/ssh-log": 422,
  "GET /jit/active": 200,
  "POST /jit/convert": 422,
  "GET /jit/eligibility": 200,
  "DELETE /jit/policies/[id]/eligible/[identityId]": 404,
  "POST /jit/policies/[id]/eligible": 422,
  "GET /jit/policies/[id]": 404,
  "PATCH /jit/policies/[id]": 404,
  "DELETE /jit/policies/[id]": 404,
  "GET /jit/policies": 200,
  "POST /jit/policies": 422,
  "POST /jit/requests/[id]/approve": 404,
  "POST /jit/requests/[id]/cancel": 404,
  "POST /jit/requests/[id]/credential": 404,
  "POST /jit/requests/[id]/deny": 422,
  "POST /jit/requests/[id]/post-review": 422,
  "POST /jit/requests/[id]/release": 404,
  "POST /jit/requests/[id]/revoke": 422,
  "GET /jit/requests/[id]": 404,
  "GET /jit/requests": 200,
  "POST /jit/requests": 422,
  "GET /me": 200,
  "GET /me/notification-preferences": 200,
  "PUT /me/notification-preferences": 422,
  "POST /notifications/read": 422,
  "GET /notifications": 200,
  "POST /orphans/[identityId]/reassign": 404,
  "GET /orphans": 200,
  "GET /reconciliation/export": 200,
  "GET /reconciliation/frameworks": 200,
  "GET /reconciliation/identities/[id]": 404,
  "POST /reconciliation/run": 202,
  "POST /reviews/decisions": 422,
  "GET /reviews": 200,
  "POST /sessions/events": 401,
  "GET /systems": 200,
  "POST /systems": 422,
  "PATCH /systems/[id]": 404,
  "GET /systems/[id]/entitlements": 404,
  "DELETE /teams/[id]/members/[identityId]": 404,
  "POST /teams/[id]/members": 422,
  "DELETE /teams/[id]": 404,
  "GET /teams/[id]": 404,
  "PATCH /teams/[id]": 422,
  "GET /teams": 200,
  "POST /teams": 422,
  "DELETE /tokens/[id]": 404,
  "GET /tokens": 200,
  "POST /tokens": 422,
  "POST /usage/events": 401,
};

const everyOther = (table: Record<string, number>, status: number) => Object.fromEntries(all.map((e) => [e.name, table[e.name] ?? status]));

describe("every route's boundary", () => {
  it("knows every route: a new one must be added to the table", () => {
    expect(all.map((e) => e.name).sort()).toEqual(Object.keys(asAdmin).sort());
  });

  it("answers 401 without a session and with a forged token", async () => {
    expect(await statuses(null)).toEqual(everyOther({}, 401));
    expect(await statuses(null, { bearer: "gov_forged_token_0000000000000000" })).toEqual(everyOther({}, 401));
  }, 120_000);

  it("refuses a cross-site write carrying an admin's session with 403", async () => {
    const writes = all.filter((e) => e.method !== "GET").map((e) => e.name);
    const expected = Object.fromEntries(writes.map((n) => [n, tokenOnly.has(n) ? 401 : 403]));
    expect(await statuses(admin, { headers: { origin: "https://evil.example" }, writesOnly: true })).toEqual(expected);
  }, 120_000);

  it("answers an admin's unknown ids with 404 (or 422 for an invalid body), never a 5xx", async () => {
    expect(await statuses(admin)).toEqual(asAdmin);
  }, 120_000);

  it("refuses every write by a read-only auditor with 403, but for their own things", async () => {
    const writes = all.filter((e) => e.method !== "GET").map((e) => e.name);
    const expected = Object.fromEntries(writes.map((n) => [n, tokenOnly.has(n) ? 401 : (ownThings[n] ?? 403)]));
    expect(await statuses(auditor, { writesOnly: true })).toEqual(expected);
  }, 120_000);
});
