/**
 * Property-based fuzzing of every door into the product: each route handler
 * under app/ (found by walking app/ for route.ts, so a new route is covered
 * without touching this file), called as Next.js calls them, by every role,
 * by API tokens and by nobody,
 * with generated hostile input: NUL bytes, lone surrogates, huge, negative,
 * fractional and non-finite numbers, out-of-range dates, booleans and nulls
 * where text or dates belong, deep nesting, very long strings, hostile names
 * (`../`, `<script>`, `=cmd|`, an RTL override), bad ids in the path, bad query
 * parameters, broken JSON and NDJSON.
 *
 * Two properties, each over the whole surface:
 * - invalid input (every part of the request the handler reads holds at least
 *   one element no field accepts): answered with a 4xx and a JSON error body,
 *   and nothing in the database changes (row counts of every table, the
 *   job queue and the head of the audit log, which every change writes to);
 * - surprising input (the same values, without the guarantee; some of it is
 *   valid): never a 5xx, and whatever is refused changes nothing.
 *
 * The runs are seeded (FUZZ_SEED, fixed by default so CI is repeatable) and
 * bounded (FUZZ_RUNS per door and property); a failure is shrunk to its
 * smallest input. The counts of inputs tried and 5xx seen are printed at the end.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/rows";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/db/client";
import { roles, type Role } from "@/db/schema";
import { seed } from "@/db/seed";
import { isolatedDatabase } from "@/db/testing";
import { resolveCaller, type Caller } from "@/lib/caller";
import { getCaller } from "@/lib/auth/auth";
import { issueToken } from "@/lib/auth/tokens";
import { createCampaign } from "@/lib/certification/campaigns";
import { createConnector } from "@/lib/connectors/admin";
import { authorizationDetails } from "@/lib/escalation/test-account";
import { launchCampaign } from "@/lib/certification/launch";
import { runReconciliation } from "@/lib/reconciliation/run";
import { installJobs } from "@/lib/runtime/job-runner";
import { makePerson, makeNhi } from "@/lib/testing/harness";

vi.mock("@/lib/auth/auth", () => ({ getCaller: vi.fn(async () => null), handlers: {}, auth: vi.fn(), signIn: vi.fn(), signOut: vi.fn() }));
vi.mock("next/navigation", () => ({
  redirect: vi.fn((to: string) => {
    throw new Error(`redirect ${to}`);
  }),
  notFound: vi.fn(() => {
    throw new Error("notFound");
  }),
}));
let database: Database;
vi.mock("@/db/client", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/db/client")>();
  return { ...original, getDatabase: async () => database, getDb: async () => database.db };
});

const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const SEED = process.env.FUZZ_SEED === "random" ? Date.now() : Number(process.env.FUZZ_SEED ?? 20260131);
const ROOT = path.resolve(import.meta.dirname, "../..");
const APP = path.join(ROOT, "app");

// next-auth's own handler (sign-in, callbacks) is the library's surface, not ours: lib/auth tests cover its configuration.
const NOT_OURS = ["app/api/auth/"];

type Reads = { body: boolean; query: boolean; text: boolean };
type Door = {
  file: string;
  template: string;
  params: string[];
  catchAll: string | null;
  scim: boolean;
  tokenScope: string | null;
  methods: Record<string, Reads>;
};

function walk(dir: string, name: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name), name) : e.name === name ? [path.join(dir, e.name)] : [],
  );
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/**
 * Every route handler file, with its URL template and what each exported
 * method reads (judged from its source: a method that reads no body must get
 * its invalid input through the path or the query instead).
 */
const routeFiles: Door[] = walk(APP, "route.ts")
  .map((file) => path.relative(ROOT, file))
  .filter((file) => !NOT_OURS.some((p) => file.startsWith(p)))
  .sort()
  .map((file) => {
    const segments = path
      .dirname(file)
      .split(path.sep)
      .slice(1)
      .filter((s) => !/^\(.*\)$/.test(s));
    const params = segments.filter((s) => /^\[[^.[]/.test(s)).map((s) => s.slice(1, -1));
    const catchAll = segments.map((s) => /^\[\[?\.\.\.(\w+)\]\]?$/.exec(s)?.[1]).find(Boolean) ?? null;
    const source = readFileSync(path.join(ROOT, file), "utf8");
    const scim = source.includes("scimRouteHandlers");
    const methods: Record<string, Reads> = {};
    const chunks = source.split(/(?=export const (?:GET|POST|PUT|PATCH|DELETE)\b)/);
    for (const m of METHODS) {
      const chunk = chunks.find((c) => c.startsWith(`export const ${m} `)) ?? "";
      methods[m] = scim
        ? { body: m !== "GET" && m !== "DELETE", query: true, text: false }
        : { body: /jsonBody\(|optionalJsonBody\(/.test(chunk), query: chunk.includes("searchParamsOf("), text: /request\.text\(\)/.test(chunk) };
    }
    const tokenScope = scim ? "scim" : (/tokenRoute\("([^"]+)"/.exec(source)?.[1] ?? null);
    return { file, template: "/" + segments.join("/"), params, catchAll, scim, tokenScope, methods };
  });
// Client components mutate through the API (docs/architecture.md): no server actions to fuzz besides sign-in's.
const actionFiles = walk(APP, "actions.ts").map((file) => path.relative(ROOT, file));

// ---------------------------------------------------------------- generators

/** Text no field accepts: a NUL, a lone surrogate, or more than the longest text allowed anywhere. */
const hostileText = fc.oneof(
  fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 })).map(([a, b]) => `${a}\u0000${b}`),
  fc.tuple(fc.string({ maxLength: 12 }), fc.constantFrom("\ud800", "\udbff", "\udc00", "\udfff")).map(([a, s]) => `${a}${s}`),
  fc.constant("x".repeat(100_001)),
);
/** Hostile text that survives a URL or a form (which turn a lone surrogate into U+FFFD). */
const hostileUrlText = fc.oneof(
  fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 })).map(([a, b]) => `${a}\u0000${b}`),
  fc.constant("y".repeat(100_001)),
);
/** A structure no body may have: nested deeper than any reader allows (`name` inside `name` …, as in a SCIM body). */
class Deep {
  constructor(readonly depth: number) {}
  get json(): string {
    return '{"name":'.repeat(this.depth) + '"deep"' + "}".repeat(this.depth);
  }
  get value(): unknown {
    let v: unknown = "deep";
    for (let i = 0; i < this.depth; i++) v = { name: v };
    return v;
  }
}
const tooDeep = fc.integer({ min: 33, max: 5000 }).map((depth) => new Deep(depth));

/** JSON text of a generated value (a Deep as its text: JSON.stringify would recurse 5,000 levels). */
function toJson(v: unknown): string {
  if (v instanceof Deep) return v.json;
  if (Array.isArray(v)) return `[${v.map(toJson).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`)
      .join(",")}}`;
  return JSON.stringify(v) ?? "null";
}

/** A value no field accepts, wherever it is put. */
const hostileValue = fc.oneof({ weight: 4, arbitrary: hostileText }, { weight: 1, arbitrary: tooDeep });

const surprisingText = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "null",
    "true",
    "-1",
    "0",
    "1.5",
    "NaN",
    "Infinity",
    "1e309",
    "99999999999999999999",
    "-271821-04-20T00:00:00Z",
    "+275760-09-13T00:00:00Z",
    "0001-01-01",
    "2026-02-31",
    "9999-12-31T23:59:59Z",
    "not-a-uuid",
    "00000000-0000-0000-0000-000000000000",
    "../../../etc/passwd",
    "..%2f..%2f",
    "<script>alert(1)</script>",
    "=cmd|' /C calc'!A0",
    "+SUM(1,1)",
    "@A1",
    "\tindent",
    "\rreturn",
    "\u202Egnp.exe",
    "' OR 1=1 --",
    "%00",
    "😀",
    "a".repeat(5000),
    "open",
    "all",
    "csv",
    "json",
    "admin",
    "certify",
    "revoke",
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
);
const surprisingNumber = fc.oneof(
  fc.constantFrom(0, -0, -1, 1.5, -273.15, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, -(2 ** 31) - 1, 1e20),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const scalar = fc.oneof(surprisingText, surprisingNumber, fc.boolean(), fc.constant(null));
const surprisingValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom("value", "name", "type", "primary", "givenName", "op", "path"), scalar, { maxKeys: 3 }) },
);

const FIELDS = [
  "name",
  "description",
  "scope",
  "reviewerStrategy",
  "reviewerIds",
  "fallbackReviewerId",
  "stages",
  "startsAt",
  "dueAt",
  "reminderDays",
  "itemIds",
  "decision",
  "comment",
  "reason",
  "roles",
  "purpose",
  "ownerId",
  "nextAttestationAt",
  "title",
  "managerId",
  "stillNeeded",
  "scopes",
  "identityId",
  "expiresInDays",
  "entitlementId",
  "durationMinutes",
  "startAt",
  "justification",
  "ticket",
  "breakGlass",
  "outcome",
  "identityIds",
  "maxDurationMinutes",
  "approvalsRequired",
  "breakGlassMaxMinutes",
  "grantIds",
  "expiresAt",
  "findingIds",
  "action",
  "rotatedAt",
  "credentialId",
  "policies",
  "kind",
  "url",
  "eventTypes",
  "maxAttempts",
  "enabled",
  "ids",
  "all",
  "events",
  "eventId",
  "identity",
  "occurredAt",
  "detail",
  "schemas",
  "userName",
  "displayName",
  "emails",
  "active",
  "externalId",
  "members",
  "Operations",
];
const QUERY = [
  "q",
  "page",
  "pageSize",
  "status",
  "kind",
  "systemId",
  "ownerId",
  "sort",
  "due",
  "scope",
  "from",
  "to",
  "action",
  "actor",
  "format",
  "identityId",
  "campaignId",
  "severity",
  "control",
  "since",
  "until",
  "archived",
  "unread",
  "entitlementId",
  "filter",
  "startIndex",
  "count",
  "attributes",
];

const anyBody = fc.dictionary(fc.constantFrom(...FIELDS), surprisingValue, { maxKeys: 5 });
const anyQuery = fc.dictionary(fc.constantFrom(...QUERY), surprisingText, { maxKeys: 3 });

type Obj = Record<string, unknown>;

/**
 * A valid example with one field changed: replaced by `value`, `value` added
 * to its list or object, or `value` under a new name. Valid but for the
 * change, the input travels as deep into the handler as that field allows.
 */
const mutate = (example: Obj, value: fc.Arbitrary<unknown>, keys: readonly string[] = FIELDS): fc.Arbitrary<Obj> =>
  fc
    .tuple(
      Object.keys(example).length
        ? fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...Object.keys(example)) }, { weight: 1, arbitrary: fc.constantFrom(...keys) })
        : fc.constantFrom(...keys),
      value,
      fc.nat(3),
    )
    .map(([key, v, how]) => {
      const current = example[key];
      const first = Array.isArray(current) ? current[0] : undefined;
      if (how === 1 && first && typeof first === "object")
        return { ...example, [key]: [{ ...first, [Object.keys(first)[0] ?? "value"]: v }, ...(current as unknown[]).slice(1)] };
      if (how === 1 && Array.isArray(current)) return { ...example, [key]: [...current, v] };
      if (how === 1 && current && typeof current === "object") return { ...example, [key]: { ...(current as Obj), [Object.keys(current)[0] ?? "value"]: v } };
      if (how === 2 && current !== undefined) return { ...example, [`${key}Extra`]: v };
      return { ...example, [key]: v };
    });
/** Valid but for one or two surprising fields, or anything at all. */
const surprising = (example: Obj | undefined, generic: fc.Arbitrary<Obj>, keys?: readonly string[]): fc.Arbitrary<Obj> =>
  example
    ? fc.oneof(
        { weight: 4, arbitrary: mutate(example, surprisingValue, keys) },
        { weight: 2, arbitrary: mutate(example, surprisingValue, keys).chain((e) => mutate(e, surprisingValue, keys)) },
        { weight: 1, arbitrary: generic },
      )
    : generic;
/** Valid but for one hostile element: refused wherever it is. */
const hostile = (example: Obj | undefined, keys?: readonly string[], value: fc.Arbitrary<unknown> = hostileValue): fc.Arbitrary<Obj> =>
  mutate(example ?? {}, value, keys);

// ------------------------------------------------------------------ fixtures

type Auth = { kind: "session"; role: Role } | { kind: "token"; scope: string } | { kind: "none" };
const callers = new Map<Role, Caller>();
const bearers = new Map<string, string>();
/** Real ids by what they are, for path parameters and bodies. */
const F: Record<string, string> = {};

async function one(query: string): Promise<string> {
  const [row] = await rows<{ id: string }>(sql.raw(query));
  if (!row) throw new Error(`fixture missing: ${query}`);
  return row.id;
}

async function fixtures() {
  database = await isolatedDatabase();
  await installJobs(database);
  const db = database.db;
  await seed(db, { scale: 0.1 });
  for (const role of roles) {
    const person = await makePerson(db, { roles: [role] });
    callers.set(role, (await resolveCaller(db, person.id))!);
  }
  const admin = callers.get("admin")!;
  const jitNhi = await makeNhi(db, { ownerId: callers.get("owner")!.identityId });
  for (const scope of ["usage:write", "scim", "credentials:write"] as const)
    bearers.set(scope, (await issueToken(db, admin, { name: `fuzz ${scope}`, scopes: [scope] })).token);
  bearers.set("jit:request", (await issueToken(db, admin, { name: "fuzz jit", scopes: ["jit:request", "jit:read"], identityId: jitNhi.id })).token);
  const ours = [...callers.values()].map((c) => `'${c.identityId}'`).join(",");
  F.person = await one(`select id from identities where kind = 'human' and status = 'active' and id not in (${ours}) order by id limit 1`);
  F.nhi = await one(`select id from identities where kind <> 'human' and status = 'active' and owner_id is not null order by id limit 1`);
  F.nhiName = await one(`select name as id from identities where id = '${F.nhi}'`);
  F.orphan = await one(
    `select i.id from identities i left join identities o on o.id = i.owner_id where i.kind <> 'human' and i.status = 'active' and (o.id is null or o.status <> 'active') order by i.id limit 1`,
  );
  F.system = await one(`select id from systems order by id limit 1`);
  F.team = await one(`select id from teams order by id limit 1`);
  F.entitlement = await one(`select entitlement_id as id from eligibility_policies order by id limit 1`);
  F.policy = await one(`select id from eligibility_policies order by id limit 1`);
  F.grant = await one(`select id from grants where type = 'standing' and revoked_at is null order by id limit 1`);
  F.credential = await one(`select id from credentials order by id limit 1`);
  F.request = await one(`select id from jit_requests order by id limit 1`);
  F.token = (await issueToken(db, admin, { name: "fuzz sacrificial", scopes: ["usage:write"] })).id;
  F.campaign = (await createCampaign(db, admin, campaignBody())).id;
  const launched = await createCampaign(db, admin, {
    ...campaignBody(),
    reviewerStrategy: "named",
    reviewerIds: [admin.identityId],
    scope: { onlyPrivileged: true },
  });
  await launchCampaign(db, admin, launched.id);
  F.launched = launched.id;
  F.item = await one(`select id from review_items where campaign_id = '${launched.id}' order by id limit 1`);
  F.connector = (await createConnector(db, admin, { name: "fuzz target", kind: "postgres", systemId: F.system, url: "postgres://nobody@127.0.0.1:1/none" })).id;
  await runReconciliation(db);
  F.finding = await one(`select id from findings order by id limit 1`);
}

const campaignBody = (): Obj => ({
  name: "Quarterly review",
  reviewerStrategy: "owner_or_manager",
  fallbackReviewerId: callers.get("admin")!.identityId,
  startsAt: "2026-01-01",
  dueAt: "2026-02-01T00:00:00Z",
  scope: { onlyPrivileged: true, systemIds: [F.system ?? "00000000-0000-4000-8000-000000000000"], unusedForDays: 30 },
  reminderDays: [7, 1],
  unusedWindowDays: 90,
});

/** Which fixture a path parameter names, by the segment before it. */
const PARAM_KIND: Record<string, string> = {
  campaigns: "campaign",
  requests: "request",
  policies: "policy",
  connectors: "connector",
  "connector-deliveries": "connector",
  credentials: "credential",
  tokens: "token",
  identities: "nhi",
  attestations: "nhi",
  orphans: "orphan",
  roles: "person",
  eligible: "person",
};

/** Valid requests to start from, by method and URL template; the fuzzer changes one or two fields of them. */
const examples = (): Record<string, { body?: Obj; query?: Obj; events?: Obj }> => ({
  "PUT /api/v1/admin/roles/[identityId]": { body: { roles: ["reviewer", "approver"] } },
  "POST /api/v1/attestations/[identityId]": {
    body: { stillNeeded: true, purpose: "Runs the nightly billing export", ownerId: F.person, comment: "Still used" },
  },
  "GET /api/v1/attestations": { query: { due: "all", q: "svc", kind: "service_account", page: "1" } },
  "GET /api/v1/audit": { query: { action: "grant.revoked", from: "2026-01-01", to: "2026-12-31", actor: "admin", entityType: "grant", page: "2" } },
  "POST /api/v1/campaigns/[id]/cancel": { body: { reason: "Replaced by another campaign" } },
  "POST /api/v1/campaigns/[id]/close": { body: { reason: "Due" } },
  "POST /api/v1/campaigns/[id]/sign-off": { body: { comment: "Reviewed" } },
  "GET /api/v1/campaigns/[id]/export": { query: { format: "csv" } },
  "POST /api/v1/campaigns": { body: campaignBody() },
  "GET /api/v1/connectors/[id]": { query: { status: "failed", page: "1", pageSize: "20" } },
  "PATCH /api/v1/connectors/[id]": { body: { enabled: true, maxAttempts: 4, eventTypes: ["grant.revoked"] } },
  "POST /api/v1/connectors": {
    body: { name: "SIEM hook", kind: "webhook", url: "https://93.184.215.14/hooks", eventTypes: ["grant.activated"], maxAttempts: 5 },
  },
  "PUT /api/v1/credential-policies": { body: { policies: [{ type: "access_key", maxAgeDays: 90, requireExpiry: false }] } },
  "POST /api/v1/credentials/[id]/rotated": { body: { rotatedAt: "2026-01-02T00:00:00Z", expiresAt: "2027-01-01T00:00:00Z" } },
  "POST /api/v1/credentials/rotations": { body: { credentialId: F.credential, rotatedAt: "2026-01-02T00:00:00Z" } },
  "GET /api/v1/credentials/tasks": { query: { identityId: F.nhi } },
  "POST /api/v1/imports/aws-iam": { body: { authorizationDetails: authorizationDetails("123412341234", { deployerCanPass: true }) } },
  "POST /api/v1/imports/k8s-rbac": {
    body: {
      cluster: "fuzz-cluster",
      lists: [{ kind: "List", items: [{ kind: "ServiceAccount", metadata: { name: "builder", namespace: "ci" } }] }],
    },
  },
  "POST /api/v1/imports/k8s-audit": { query: { cluster: "fuzz-cluster" } },
  "POST /api/v1/imports/github": {
    body: { org: { login: "fuzz-org" }, members: [{ login: "octo" }], repos: [{ name: "api", collaborators: [{ login: "octo", role_name: "write" }] }] },
  },
  "POST /api/v1/imports/github-audit": { query: { org: "fuzz-org" } },
  "POST /api/v1/imports/pg-roles": { body: { system: "fuzz-db", urlEnv: "FUZZ_PG_URL_UNSET" } },
  "POST /api/v1/imports/pg-log": { query: { system: "fuzz-db" } },
  "POST /api/v1/findings/actions": { body: { findingIds: [F.finding], action: "accept", reason: "Known and accepted" } },
  "GET /api/v1/findings": { query: { q: "svc", kind: "unused_privilege", severity: "high", status: "all", control: "NHI5", pathClass: "assume-role" } },
  "GET /api/v1/findings/export": { query: { format: "csv", q: "svc", status: "all" } },
  "POST /api/v1/identities/[id]/offboard": { body: { reason: "Left the company" } },
  "PATCH /api/v1/identities/[id]": { body: { purpose: "Runs the nightly billing export", nextAttestationAt: "2026-06-01", ownerId: F.person } },
  "GET /api/v1/identities": {
    query: { q: "svc", kind: "service_account", status: "active", sort: "name", page: "1", pageSize: "25", systemId: F.system, level: "reaches_admin" },
  },
  "GET /api/v1/jit/active": { query: { q: "svc", identityId: F.nhi } },
  "POST /api/v1/jit/convert": { body: { grantIds: [F.grant], reason: "No standing admin access" } },
  "POST /api/v1/jit/policies/[id]/eligible": { body: { identityIds: [F.person], expiresAt: "2027-01-01T00:00:00Z" } },
  "PATCH /api/v1/jit/policies/[id]": { body: { maxDurationMinutes: 240, description: "Production database" } },
  "POST /api/v1/jit/policies": {
    body: { name: "Short policy", entitlementId: F.entitlement, maxDurationMinutes: 15, defaultDurationMinutes: 15, approvalsRequired: 1 },
  },
  "GET /api/v1/jit/policies": { query: { archived: "1" } },
  "POST /api/v1/jit/requests/[id]/approve": { body: { comment: "Fine" } },
  "POST /api/v1/jit/requests/[id]/deny": { body: { comment: "Not now" } },
  "POST /api/v1/jit/requests/[id]/post-review": { body: { outcome: "confirm", comment: "Was an incident" } },
  "POST /api/v1/jit/requests/[id]/release": { body: { comment: "Done" } },
  "POST /api/v1/jit/requests/[id]/revoke": { body: { reason: "Incident over" } },
  "POST /api/v1/jit/requests": {
    body: { entitlementId: F.entitlement, durationMinutes: 30, justification: "Fix the failing nightly export", ticket: "INC-4211" },
  },
  "GET /api/v1/jit/requests": { query: { scope: "all", status: "open", q: "svc", from: "2026-01-01", to: "2026-12-31", identityId: F.nhi } },
  "POST /api/v1/notifications/read": { body: { ids: [F.nhi] } },
  "GET /api/v1/notifications": { query: { unread: "1", page: "1" } },
  "POST /api/v1/orphans/[identityId]/reassign": { body: { ownerId: F.person } },
  "GET /api/v1/orphans": { query: { q: "svc", kind: "service_account", systemId: F.system } },
  "GET /api/v1/reconciliation/export": { query: { format: "json" } },
  "GET /api/v1/reconciliation/identities/[id]": { query: { since: "2026-01-01", until: "2026-03-01" } },
  "POST /api/v1/reviews/decisions": { body: { itemIds: [F.item], decision: "certify", comment: "Needed for on-call" } },
  "GET /api/v1/reviews": { query: { status: "open", campaignId: F.launched, q: "svc", privilegeLevel: "admin" } },
  "POST /api/v1/sessions/events": {
    events: { eventId: "e-1", sessionId: "s-1", identity: F.nhiName, kind: "command", detail: "select 1", occurredAt: "2026-01-02T00:00:00Z" },
  },
  "POST /api/v1/tokens": { body: { name: "CI pipeline", scopes: ["jit:request"], identityId: F.nhi, expiresInDays: 30 } },
  "GET /api/v1/tokens": { query: { identityId: F.nhi } },
  "POST /api/v1/usage/events": {
    events: { eventId: "u-1", identity: F.nhiName, action: "s3:GetObject", occurredAt: "2026-01-02T00:00:00Z", outcome: "success" },
  },
});

const SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User";
/** SCIM requests to start from: method, path below /scim/v2, body, query. */
const scimExamples = (): { method: string; path: string[]; body?: Obj; query?: Obj }[] => [
  { method: "GET", path: ["Users"], query: { filter: 'userName sw "a" and not (active eq false)', startIndex: "1", count: "10", attributes: "userName" } },
  { method: "GET", path: ["Groups"], query: { filter: 'displayName co "eng"', excludedAttributes: "members" } },
  { method: "GET", path: ["Users", F.person], query: { attributes: "userName,emails" } },
  {
    method: "POST",
    path: ["Users"],
    body: {
      schemas: [SCIM_USER],
      userName: "fuzz@acme.example",
      name: { givenName: "Ada", familyName: "Lovelace" },
      displayName: "Ada",
      emails: [{ value: "fuzz@acme.example", primary: true }],
      active: true,
    },
  },
  { method: "PUT", path: ["Users", F.person], body: { schemas: [SCIM_USER], userName: "fuzz2@acme.example", displayName: "Ada", active: true } },
  {
    method: "PATCH",
    path: ["Users", F.person],
    body: { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "displayName", value: "Ada" }] },
  },
  {
    method: "POST",
    path: ["Groups"],
    body: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Fuzzers", members: [{ value: F.person }] },
  },
  {
    method: "PATCH",
    path: ["Groups", F.team],
    body: { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "add", path: "members", value: [{ value: F.person }] }] },
  },
  {
    method: "POST",
    path: ["Users", ".search"],
    body: { schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], filter: 'emails[type eq "work"]', startIndex: 1, count: 5 },
  },
  { method: "DELETE", path: ["Users", F.person] },
];

// --------------------------------------------------------------- snapshots

/** Row counts of every table (ours and the job queue's) and the audit log's head: any change moves one of them. */
let counting: ReturnType<typeof sql> | null = null;
async function snapshot(): Promise<string> {
  if (!counting) {
    const tables = await rows<{ t: string }>(
      sql`select table_name as t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
    );
    const counts = [...tables.map(({ t }) => `"public"."${t}"`), "pgboss.job"].map((t) => `(select count(*) from ${t})::text`).join(" || ',' || ");
    counting = sql.raw(`select ${counts} || '|' || coalesce((select hash from audit_log order by id desc limit 1), '') as v`);
  }
  const [row] = await rows<{ v: string }>(counting);
  return row.v;
}

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return queryRows<T>(database.db, query);
}

// ----------------------------------------------------------------- requests

const tally = { inputs: 0, refused: 0, accepted: 0, serverErrors: 0 };
const failures: string[] = [];

type Body = { json: unknown } | { text: string } | null;
type Call = { method: string; auth: Auth; params: Record<string, string | string[]>; query: Obj; body: Body };

function requestOf(door: Door, call: Call): Request {
  const url = new URL(`http://gov.test${door.template}`);
  for (const [k, v] of Object.entries(call.query)) url.searchParams.append(k, typeof v === "string" ? v : toJson(v));
  const headers = new Headers();
  if (call.auth.kind === "token") headers.set("authorization", `Bearer ${bearers.get(call.auth.scope)}`);
  let payload: string | undefined;
  if (call.body && call.method !== "GET" && call.method !== "HEAD") {
    if ("json" in call.body) {
      payload = toJson(call.body.json);
      headers.set("content-type", door.scim ? "application/scim+json" : "application/json");
    } else {
      payload = call.body.text;
      headers.set("content-type", "application/x-ndjson");
    }
  }
  return new Request(url, { method: call.method, headers, body: payload });
}

const describeAuth = (a: Auth) => (a.kind === "session" ? a.role : a.kind === "token" ? `token ${a.scope}` : "no caller");

/** Calls a handler; true when the answer keeps the promises (never 5xx, errors as JSON, a refusal changes nothing, invalid input never accepted into the database). */
async function check(door: Door, handler: (r: Request, c: { params: Promise<unknown> }) => Promise<Response>, call: Call, invalid: boolean): Promise<boolean> {
  tally.inputs++;
  vi.mocked(getCaller).mockResolvedValue(call.auth.kind === "session" ? callers.get(call.auth.role)! : null);
  const before = await snapshot();
  let status: number;
  let text = "";
  try {
    const response = await handler(requestOf(door, call), { params: Promise.resolve(call.params) });
    status = response.status;
    text = await response.text(); // an export that fails mid-stream throws here
  } catch (error) {
    status = 599;
    text = String((error as Error)?.stack ?? error);
  }
  const after = await snapshot();
  // 501 is SCIM's documented answer for /Bulk and /Me (RFC 7644 §3.2): a statement about the endpoint, not a failure.
  const failed = status >= 500 && status !== 501;
  if (failed) tally.serverErrors++;
  if (status >= 400) tally.refused++;
  else tally.accepted++;
  let problem: string | null = null;
  if (failed) problem = `answered ${status}`;
  else if (status >= 400 && !/"(error|detail)"/.test(text)) problem = `answered ${status} without a JSON error body`;
  else if (status >= 400 && before !== after) problem = `refused with ${status} but changed the database`;
  else if (invalid && status < 400 && before !== after) problem = `accepted invalid input (${status}) and changed the database`;
  if (problem)
    failures.push(
      `${call.method} ${door.template} ${JSON.stringify(call.params).slice(0, 120)} (${describeAuth(call.auth)}): ${problem}: ${text.slice(0, 300)}`,
    );
  return problem === null;
}

/** Callers: admins most (they may do the most, so their input travels furthest), every other role, the door's token, nobody. */
function authOf(door: Door): fc.Arbitrary<Auth> {
  const session = fc.oneof(
    { weight: 5, arbitrary: fc.constant({ kind: "session" as const, role: "admin" }) },
    { weight: 5, arbitrary: fc.constantFrom(...roles.filter((r) => r !== "admin")).map((role) => ({ kind: "session" as const, role })) },
  );
  const token = fc.constantFrom(...(door.tokenScope ? [door.tokenScope] : ["jit:request"])).map((scope) => ({ kind: "token" as const, scope }));
  const other = fc.constantFrom<Auth>({ kind: "none" }, { kind: "token", scope: "usage:write" }, { kind: "session", role: "auditor" });
  return door.tokenScope
    ? fc.oneof({ weight: 8, arbitrary: token }, { weight: 1, arbitrary: other })
    : fc.oneof({ weight: 8, arbitrary: session }, { weight: 1, arbitrary: token }, { weight: 1, arbitrary: other });
}

const realId = (kind: string | undefined) => fc.constantFrom(...(kind && F[kind] ? [F[kind]] : Object.values(F)));
const surprisingId = (kind: string | undefined) =>
  fc.oneof(
    { weight: 5, arbitrary: realId(kind) },
    { weight: 2, arbitrary: surprisingText },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: realId(undefined) },
  );

const ndjson = (lines: fc.Arbitrary<Obj>[]) => fc.tuple(...lines).map((ls) => ({ text: ls.map(toJson).join("\n") }));

/**
 * One request to a door. Invalid: each part the method reads that the
 * generator chose (at least one) holds a hostile element; the others are valid.
 */
function callOf(door: Door, method: string, invalid: boolean): fc.Arbitrary<Call> {
  const reads = door.methods[method];
  const key = `${method} ${door.template}`;
  const example = examples()[key] ?? {};
  if (door.scim) return scimCallOf(door, method, invalid);
  const channels = [...(door.params.length ? ["path"] : []), ...(reads.query ? ["query"] : []), ...(reads.body || reads.text ? ["body"] : [])];
  const chosen = invalid ? fc.subarray(channels, { minLength: 1 }) : fc.constant([] as string[]);
  return chosen.chain((bad) => {
    const paramKinds = door.params.map(
      (p, i) =>
        PARAM_KIND[door.template.split("/").filter(Boolean)[door.template.split("/").filter(Boolean).indexOf(`[${p}]`) - 1]] ?? (i ? "person" : undefined),
    );
    const params = fc
      .tuple(
        ...door.params.map((_, i) =>
          bad.includes("path") ? (i === 0 ? hostileText : surprisingId(paramKinds[i])) : invalid ? realId(paramKinds[i]) : surprisingId(paramKinds[i]),
        ),
      )
      .map((values) => Object.fromEntries(door.params.map((p, i) => [p, values[i]])));
    const query = bad.includes("query")
      ? hostile(example.query, QUERY, hostileUrlText)
      : invalid
        ? fc.constant(example.query ?? {})
        : surprising(example.query, anyQuery, QUERY);
    let body: fc.Arbitrary<Body>;
    if (reads.text) {
      const line = (b: boolean) => (b ? hostile(example.events) : surprising(example.events, anyBody));
      body = fc.integer({ min: 1, max: 5 }).chain((n) =>
        bad.includes("body")
          ? ndjson(Array.from({ length: n }, () => line(true)))
          : fc.oneof(
              ndjson(Array.from({ length: n }, () => line(false))),
              line(false).map((e) => ({ json: { events: [e] } })),
            ),
      );
    } else if (bad.includes("body")) {
      body = hostile(example.body).map((json) => ({ json }));
    } else if (invalid) {
      body = fc.constant(example.body ? { json: example.body } : null);
    } else {
      body = fc.oneof(
        { weight: 8, arbitrary: surprising(example.body, anyBody).map((json) => ({ json })) },
        { weight: 1, arbitrary: fc.constantFrom("{", "[1,", "null", "{}", '"text"').map((text) => ({ text })) },
      );
    }
    return fc.record({ auth: authOf(door), params, query, body }).map((c) => ({ method, ...c }));
  });
}

const SCIM_RESOURCES = ["Users", "Groups", "ServiceProviderConfig", "Schemas", "ResourceTypes", "Bulk", "Me"];

function scimCallOf(door: Door, method: string, invalid: boolean): fc.Arbitrary<Call> {
  const mine = scimExamples().filter((e) => e.method === method);
  const base = mine.length
    ? fc.constantFrom(...mine)
    : fc
        .constantFrom(...SCIM_RESOURCES)
        .map((r) => ({ method, path: [r] as string[], body: undefined as Obj | undefined, query: undefined as Obj | undefined }));
  const scimKeys = [
    "schemas",
    "userName",
    "displayName",
    "name",
    "emails",
    "active",
    "externalId",
    "members",
    "Operations",
    "filter",
    "startIndex",
    "count",
    "title",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
  ];
  const scimQuery = ["filter", "startIndex", "count", "attributes", "excludedAttributes", "sortBy"];
  return base.chain((ex) => {
    const channels = ["path", "query", ...(method !== "GET" && method !== "DELETE" ? ["body"] : [])];
    const chosen = invalid ? fc.subarray(channels, { minLength: 1 }) : fc.constant([] as string[]);
    return chosen.chain((bad) => {
      const pathArb = bad.includes("path")
        ? hostileText.map((h) => [ex.path[0], h])
        : invalid
          ? fc.constant(ex.path)
          : fc.oneof(
              { weight: 4, arbitrary: fc.constant(ex.path) },
              { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...SCIM_RESOURCES), surprisingText).map(([r, id]) => [r, id]) },
            );
      const query = bad.includes("query")
        ? hostile(ex.query, scimQuery, hostileUrlText)
        : invalid
          ? fc.constant(ex.query ?? {})
          : surprising(ex.query, anyQuery, scimQuery);
      const body: fc.Arbitrary<Body> = bad.includes("body")
        ? hostile(ex.body, scimKeys).map((json) => ({ json }))
        : invalid
          ? fc.constant(ex.body ? { json: ex.body } : null)
          : fc.oneof(
              { weight: 8, arbitrary: surprising(ex.body, anyBody, scimKeys).map((json) => ({ json })) },
              { weight: 1, arbitrary: fc.constantFrom("{", "[1,").map((text) => ({ text })) },
            );
      return fc
        .record({ auth: authOf(door), path: pathArb, query, body })
        .map(({ path, ...c }) => ({ method, ...c, params: { [door.catchAll ?? "path"]: path } }));
    });
  });
}

// ------------------------------------------------------------------- suite

describe("fuzzing every route with hostile input", () => {
  beforeAll(async () => {
    await fixtures();
  }, 300_000);

  afterAll(async () => {
    console.log(
      `[fuzz] seed ${SEED}, ${RUNS} runs per method and property: ${tally.inputs.toLocaleString("en")} inputs tried ` +
        `(${tally.refused.toLocaleString("en")} refused, ${tally.accepted.toLocaleString("en")} accepted), ${tally.serverErrors} answered 5xx`,
    );
    if (failures.length) console.log(`[fuzz] failures:\n${[...new Set(failures)].slice(0, 60).join("\n")}`);
    await database?.close();
  });

  it("finds every route, and no server actions (forms call the API)", () => {
    expect(routeFiles.length).toBeGreaterThan(60);
    expect(actionFiles).toEqual([]);
  });

  for (const door of routeFiles) {
    it(door.template, async () => {
      const mod = (await import(/* @vite-ignore */ path.join(ROOT, door.file))) as Record<string, unknown>;
      const methods = METHODS.filter((m) => typeof mod[m] === "function");
      expect(methods.length).toBeGreaterThan(0);
      for (const method of methods) {
        const handler = mod[method] as Parameters<typeof check>[1];
        const reads = door.methods[method];
        for (const invalid of [true, false]) {
          // A method that reads nothing but its caller cannot be sent invalid input.
          if (invalid && !door.params.length && !door.scim && !reads.body && !reads.query && !reads.text) continue;
          await fc.assert(
            fc.asyncProperty(callOf(door, method, invalid), (call) => check(door, handler, call, invalid)),
            { numRuns: RUNS, seed: SEED },
          );
        }
      }
    });
  }
});
