import type { Db } from "@/db/client";
import { auditedTransaction } from "@/lib/audit/record";
import type { TokenPrincipal } from "@/lib/auth/tokens";
import { authenticateScim } from "./auth";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, SCIM_CONTENT_TYPE, URN, scimContext, type ScimContext } from "./constants";
import { RESOURCE_TYPES, SCHEMAS, resourceTypeResource, schemaResource, serviceProviderConfig } from "./discovery";
import { ScimError, badRequest, errorBody, toScimError } from "./errors";
import { createGroup, deleteGroup, getGroup, listGroups, patchGroup, replaceGroup } from "./groups";
import { applyPatch, readPatchRequest } from "./patch";
import { project, wantsMembers } from "./projection";
import { checkIfMatch, etagMatches, isObject, keyOf, type ScimResource } from "./resource";
import { USER_CANONICAL, readUserInput } from "./user-input";
import { inputProblem, pathKey, type InputProblem } from "@/lib/validation/input";
import { getUser, listUsers, storedDocument, type PersonRow } from "./user-read";
import { createUser, deleteUser, replaceUser } from "./user-write";

export type ScimRequest = {
  method: string;
  /** The path below /scim/v2, e.g. ["Users", "<id>"]. */
  segments: string[];
  searchParams: URLSearchParams;
  headers: Headers;
  /** The request body: its text as received, or already-parsed JSON. */
  body?: unknown;
  /** Absolute URL of /scim/v2, for meta.location and $ref. */
  baseUrl: string;
};
export type ScimResponse = { status: number; headers: Record<string, string>; body: unknown };

/** Authenticates the request's bearer token, then serves it: the whole protocol, SCIM-shaped errors included. */
export async function serveScim(db: Db, request: ScimRequest): Promise<ScimResponse> {
  let token: TokenPrincipal;
  try {
    token = await authenticateScim(db, request.headers);
  } catch (error) {
    return errorResponse(error);
  }
  return handleScim(db, token, request);
}

/** Serves one SCIM request for an authenticated token. */
export async function handleScim(db: Db, token: TokenPrincipal, request: ScimRequest): Promise<ScimResponse> {
  try {
    return await dispatch(db, scimContext(token.name, request.baseUrl), request);
  } catch (error) {
    return errorResponse(error);
  }
}

function errorResponse(error: unknown): ScimResponse {
  const e = toScimError(error);
  const headers: Record<string, string> = { "Content-Type": SCIM_CONTENT_TYPE };
  if (e.status === 401) headers["WWW-Authenticate"] = 'Bearer realm="scim"';
  if (e.status === 403) headers["WWW-Authenticate"] = 'Bearer realm="scim", error="insufficient_scope", scope="scim"';
  if (e.retryAfterSeconds !== undefined) headers["Retry-After"] = String(e.retryAfterSeconds);
  return { status: e.status, headers, body: errorBody(e.status, e.detail, e.scimType) };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): ScimResponse => ({
  status,
  headers: { "Content-Type": SCIM_CONTENT_TYPE, ...headers },
  body,
});

function methodNotAllowed(method: string, allowed: string[]): ScimError {
  return new ScimError(405, `${method} is not supported here; use ${allowed.join(", ")}.`);
}

/** The boundary rules (lib/validation/input.ts) as SCIM errors: structure is syntax, a bad string a bad value. */
function assertScimInput(value: unknown, where?: string) {
  const problem: InputProblem | null = inputProblem(value);
  if (!problem) return;
  const at = pathKey(problem.path, where);
  throw badRequest(problem.message.startsWith("nests") ? "invalidSyntax" : "invalidValue", `${at === "_" ? "The body" : at} ${problem.message}`);
}

function parseBody(body: unknown): unknown {
  let parsed = body;
  if (typeof body === "string") {
    if (body.trim() === "") return undefined;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw badRequest("invalidSyntax", "The request body is not valid JSON.");
    }
  }
  assertScimInput(parsed);
  return parsed;
}

/** A resource written whole (POST, PUT) says what it is: RFC 7643 §3 makes `schemas` required. */
function requireSchemas(body: unknown, coreUrn: string) {
  if (!isObject(body)) return;
  const key = keyOf(body, "schemas");
  const schemas = key ? body[key] : undefined;
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === "string" && s.toLowerCase() === coreUrn.toLowerCase())) {
    throw badRequest("invalidValue", `schemas is required and must include "${coreUrn}".`);
  }
}

type ListQuery = { filter?: string; startIndex: number; count: number; attributes?: string; excludedAttributes?: string };

/** Beyond any list this product holds, and within what PostgreSQL takes as an offset. */
const MAX_START_INDEX = 2_147_483_647;

/** An integer parameter: absent is null, anything but a whole number (or its digits) is a 400 invalidValue naming it. */
function intParam(name: string, v: unknown): number | null {
  if (v === undefined || v === null || v === "") return null;
  const n = typeof v === "number" ? v : typeof v === "string" && /^\s*[+-]?\d{1,20}\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw badRequest("invalidValue", `${name} must be a whole number, not ${JSON.stringify(v).slice(0, 40)}.`);
  return n;
}

/**
 * startIndex is 1-based (below 1 reads as 1, RFC 7644 §3.4.2.4) and at most
 * MAX_START_INDEX; count defaults to 100, below 0 reads as 0 and is capped at
 * 1000; anything but whole numbers is a 400 invalidValue.
 */
function listQuery(get: (name: string) => unknown): ListQuery {
  const start = intParam("startIndex", get("startIndex")) ?? 1;
  const count = intParam("count", get("count"));
  if (start > MAX_START_INDEX) throw badRequest("invalidValue", `startIndex is at most ${MAX_START_INDEX.toLocaleString("en")}.`);
  const list = (v: unknown) => (Array.isArray(v) ? v.join(",") : typeof v === "string" ? v : undefined);
  const filter = get("filter");
  if (filter !== undefined && typeof filter !== "string") throw badRequest("invalidFilter", "filter must be a string.");
  return {
    filter: filter?.trim() || undefined,
    startIndex: Math.max(start, 1),
    count: count === null ? DEFAULT_PAGE_SIZE : Math.min(Math.max(count, 0), MAX_PAGE_SIZE),
    attributes: list(get("attributes")),
    excludedAttributes: list(get("excludedAttributes")),
  };
}

const fromSearchParams = (params: URLSearchParams) => (name: string) => {
  for (const [k, v] of params) if (k.toLowerCase() === name.toLowerCase()) return v;
  return undefined;
};

function listResponse(total: number, startIndex: number, resources: unknown[]) {
  return { schemas: [URN.listResponse], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources };
}

// Next.js hands the segments decoded already; a stray % must not fail the request.
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

async function dispatch(db: Db, ctx: ScimContext, req: ScimRequest): Promise<ScimResponse> {
  const method = req.method.toUpperCase();
  const segments = req.segments.map(decodeSegment);
  assertScimInput(segments, "path");
  assertScimInput(Object.fromEntries(req.searchParams));
  const [endpoint, id, ...rest] = segments;
  if (rest.length) throw new ScimError(404, `No such endpoint: /${req.segments.join("/")}.`);
  const base = ctx.baseUrl;
  switch (endpoint?.toLowerCase()) {
    case "serviceproviderconfig":
      if (id) throw new ScimError(404, "ServiceProviderConfig has no sub-resources.");
      if (method !== "GET") throw methodNotAllowed(method, ["GET"]);
      return json(200, serviceProviderConfig(base));
    case "resourcetypes":
      return discovery(
        method,
        req,
        id,
        RESOURCE_TYPES.map((t) => resourceTypeResource(t, base)),
        "ResourceType",
      );
    case "schemas":
      return discovery(
        method,
        req,
        id,
        SCHEMAS.map((s) => schemaResource(s, base)),
        "Schema",
      );
    case "users":
      return users(db, ctx, method, id, req);
    case "groups":
      return groups(db, ctx, method, id, req);
    case "bulk":
    case "me":
      throw new ScimError(501, `/${endpoint} is not supported by this service provider.`);
    default:
      throw new ScimError(404, `No such endpoint: /${req.segments.join("/")}.`);
  }
}

function discovery(method: string, req: ScimRequest, id: string | undefined, all: { id: string }[], what: string): ScimResponse {
  if (method !== "GET") throw methodNotAllowed(method, ["GET"]);
  if (id) {
    const found = all.find((r) => r.id.toLowerCase() === id.toLowerCase());
    if (!found) throw new ScimError(404, `${what} ${JSON.stringify(id)} not found.`);
    return json(200, found);
  }
  // RFC 7644 §4: discovery lists are not filtered.
  if (req.searchParams.has("filter")) throw new ScimError(403, `Filtering ${what}s is not supported.`);
  return json(200, listResponse(all.length, 1, all));
}

function single(status: number, resource: ScimResource, query: ListQuery, coreUrn: string, extra: Record<string, string> = {}): ScimResponse {
  return json(status, project(resource, query, coreUrn), { ETag: resource.meta.version, ...extra });
}

/** GET of one resource: 304 when the client's copy (If-None-Match) is current. */
function conditionalGet(req: ScimRequest, resource: ScimResource, query: ListQuery, coreUrn: string): ScimResponse {
  const ifNoneMatch = req.headers.get("if-none-match");
  if (ifNoneMatch && etagMatches(ifNoneMatch, resource.meta.version)) return { status: 304, headers: { ETag: resource.meta.version }, body: null };
  return single(200, resource, query, coreUrn);
}

const requireBody = (body: unknown) => {
  const parsed = parseBody(body);
  if (parsed === undefined) throw badRequest("invalidSyntax", "This request needs a JSON body.");
  return parsed;
};

/** What PATCH applies to: the resource as shown, but the department as the identity provider wrote it. */
function patchBase(row: PersonRow, resource: ScimResource): Record<string, unknown> {
  const { meta: _meta, groups: _groups, ...base } = resource;
  const stored = storedDocument(row)[URN.enterprise];
  const department = isObject(stored) ? stored.department : undefined;
  const enterprise = isObject(base[URN.enterprise]) ? { ...(base[URN.enterprise] as Record<string, unknown>) } : {};
  if (typeof department === "string") enterprise.department = department;
  else delete enterprise.department;
  base[URN.enterprise] = enterprise;
  return { ...base, meta: {} };
}

/**
 * The reads of a collection, alike for Users and Groups: GET /<Type> with
 * query parameters, or POST /<Type>/.search with them in the body. Null when
 * the request is something else.
 */
async function listing(
  method: string,
  id: string | undefined,
  req: ScimRequest,
  query: ListQuery,
  coreUrn: string,
  load: (q: ListQuery) => Promise<{ total: number; resources: ScimResource[] }>,
) {
  let q: ListQuery;
  if (id === ".search") {
    if (method !== "POST") throw methodNotAllowed(method, ["POST"]);
    q = searchQuery(requireBody(req.body));
  } else if (!id && method === "GET") {
    q = query;
  } else {
    return null;
  }
  const page = await load(q);
  return json(
    200,
    listResponse(
      page.total,
      q.startIndex,
      page.resources.map((r) => project(r, q, coreUrn)),
    ),
  );
}

async function users(db: Db, ctx: ScimContext, method: string, id: string | undefined, req: ScimRequest): Promise<ScimResponse> {
  const query = listQuery(fromSearchParams(req.searchParams));
  const base = ctx.baseUrl;
  const listed = await listing(method, id, req, query, URN.user, (q) => listUsers(db, q, base));
  if (listed) return listed;
  if (!id) {
    if (method !== "POST") throw methodNotAllowed(method, ["GET", "POST"]);
    const body = requireBody(req.body);
    requireSchemas(body, URN.user);
    const input = readUserInput(body);
    const resource = await auditedTransaction(db, async (tx) => (await getUser(tx, await createUser(tx, ctx, input), base)).resource);
    return single(201, resource, query, URN.user, { Location: resource.meta.location });
  }
  switch (method) {
    case "GET":
      return conditionalGet(req, (await getUser(db, id, base)).resource, query, URN.user);
    case "PUT":
    case "PATCH": {
      const body = requireBody(req.body);
      if (method === "PUT") requireSchemas(body, URN.user);
      const ops = method === "PATCH" ? readPatchRequest(body) : null;
      const resource = await auditedTransaction(db, async (tx) => {
        const current = await getUser(tx, id, base, { lock: true });
        checkIfMatch(req.headers, current.resource.meta.version);
        const next = ops ? applyPatch(patchBase(current.row, current.resource), ops, URN.user, USER_CANONICAL) : body;
        await replaceUser(tx, ctx, current.row, readUserInput(next));
        return (await getUser(tx, id, base)).resource;
      });
      return single(200, resource, query, URN.user);
    }
    case "DELETE":
      await auditedTransaction(db, async (tx) => {
        const current = await getUser(tx, id, base, { lock: true });
        checkIfMatch(req.headers, current.resource.meta.version);
        await deleteUser(tx, ctx, current.row);
      });
      return { status: 204, headers: {}, body: null };
    default:
      throw methodNotAllowed(method, ["GET", "PUT", "PATCH", "DELETE"]);
  }
}

/** POST /.search: the query parameters in a SearchRequest body (RFC 7644 §3.4.3). */
function searchQuery(body: unknown): ListQuery {
  if (!isObject(body)) throw badRequest("invalidSyntax", "Send a SearchRequest message.");
  return listQuery((name) => {
    const key = keyOf(body, name);
    return key ? body[key] : undefined;
  });
}

async function groups(db: Db, ctx: ScimContext, method: string, id: string | undefined, req: ScimRequest): Promise<ScimResponse> {
  const query = listQuery(fromSearchParams(req.searchParams));
  const base = ctx.baseUrl;
  const listed = await listing(method, id, req, query, URN.group, (q) => listGroups(db, { ...q, withMembers: wantsMembers(q) }, base));
  if (listed) return listed;
  if (!id) {
    if (method !== "POST") throw methodNotAllowed(method, ["GET", "POST"]);
    const body = requireBody(req.body);
    requireSchemas(body, URN.group);
    const resource = await auditedTransaction(db, async (tx) => (await getGroup(tx, (await createGroup(tx, ctx, body)).id, base)).resource);
    return single(201, resource, query, URN.group, { Location: resource.meta.location });
  }
  switch (method) {
    case "GET":
      return conditionalGet(req, (await getGroup(db, id, base, { withMembers: wantsMembers(query) })).resource, query, URN.group);
    case "PUT":
    case "PATCH": {
      const body = requireBody(req.body);
      if (method === "PUT") requireSchemas(body, URN.group);
      const ops = method === "PATCH" ? readPatchRequest(body) : null;
      // A membership PATCH answers 204 (RFC 7644 §3.5.2), as Okta and Entra ID expect, so a
      // large group is not sent back for every person added; ask for attributes to get it.
      const quiet = !!ops && !query.attributes && !query.excludedAttributes;
      const resource = await auditedTransaction(db, async (tx) => {
        const current = await getGroup(tx, id, base, { lock: true, withMembers: false });
        checkIfMatch(req.headers, current.resource.meta.version);
        if (ops) await patchGroup(tx, ctx, current.row, ops);
        else await replaceGroup(tx, ctx, current.row, body);
        return (await getGroup(tx, id, base, { withMembers: !quiet && wantsMembers(query) })).resource;
      });
      return quiet ? { status: 204, headers: { ETag: resource.meta.version }, body: null } : single(200, resource, query, URN.group);
    }
    case "DELETE":
      await auditedTransaction(db, async (tx) => {
        const current = await getGroup(tx, id, base, { lock: true, withMembers: false });
        checkIfMatch(req.headers, current.resource.meta.version);
        await deleteGroup(tx, ctx, current.row);
      });
      return { status: 204, headers: {}, body: null };
    default:
      throw methodNotAllowed(method, ["GET", "PUT", "PATCH", "DELETE"]);
  }
}
