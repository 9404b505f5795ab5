import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import type { TokenScope } from "@/db/schema";
import { getCaller } from "@/lib/auth/auth";
import type { Caller } from "@/lib/caller";
import { limitFailures } from "@/lib/auth/failures";
import { authenticateToken, bearerFrom, callerForToken, type TokenPrincipal } from "@/lib/auth/tokens";
import { AppError, ForbiddenError, PayloadTooLargeError, TooManyRequestsError, UnauthenticatedError, ValidationError, assertSafeInput } from "@/lib/errors";
import { crossSiteRefusal } from "./origin";
import { sourceOf } from "./peer";

export type ErrorBody = { error: { code: string; message: string; fieldErrors?: Record<string, string[]> } };

/** Known errors keep their message; anything else is logged and answered generically. */
export function errorBody(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof AppError) {
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    if (error instanceof ValidationError) body.error.fieldErrors = error.fieldErrors;
    return { status: error.status, body };
  }
  console.error("[gov] unexpected error", error);
  return { status: 500, body: { error: { code: "internal", message: "Something went wrong on our side. It has been logged." } } };
}

type RouteContext<P> = { params: Promise<P> };

/** Path segments obey the input rules too: a NUL in an id must not reach a query. */
async function paramsOf<P>(context: RouteContext<P>): Promise<P> {
  const params = await context.params;
  assertSafeInput(params, "path");
  return params;
}

export function errorResponse(error: unknown) {
  const { status, body } = errorBody(error);
  const headers: Record<string, string> = status === 401 ? { "WWW-Authenticate": 'Bearer realm="gov"' } : {};
  if (error instanceof TooManyRequestsError) headers["Retry-After"] = String(error.retryAfterSeconds);
  return NextResponse.json(body, { status, headers });
}

/** The bearer token of the request, or null when it carries none. */
export const bearerOf = (request: Request): string | null => bearerFrom(request.headers.get("authorization"));

/** The live token behind the request's bearer; unknown tokens count against the source's failure limit. */
async function principalOf(request: Request, scopes: readonly TokenScope[]): Promise<TokenPrincipal> {
  const bearer = bearerOf(request);
  if (!bearer) throw new UnauthenticatedError("Send an API token as Authorization: Bearer <token>.");
  const db = await getDb();
  const principal = await limitFailures(db, sourceOf(request.headers), "api", () => authenticateToken(db, bearer));
  if (!principal) throw new UnauthenticatedError("The API token is unknown, expired or revoked.");
  if (!scopes.some((s) => principal.scopes.has(s))) throw new ForbiddenError(`This token lacks the ${scopes.join(" or ")} scope.`);
  return principal;
}

export type RouteOptions = {
  /** NHI tokens holding one of these scopes may call too, acting as their NHI. */
  tokenScopes?: readonly TokenScope[];
};

/**
 * Wraps a route handler: resolves the caller (the signed-in person, or the NHI
 * behind an API token where the route accepts tokens; 401 without either) and
 * turns thrown errors into JSON error bodies.
 */
export function route<P = Record<string, string>>(
  handler: (args: { caller: Caller; request: Request; params: P }) => Promise<unknown>,
  options: RouteOptions = {},
) {
  return async (request: Request, context: RouteContext<P>) => {
    try {
      let caller: Caller | null;
      if (bearerOf(request) !== null) {
        if (!options.tokenScopes) throw new UnauthenticatedError("This endpoint takes a signed-in session, not an API token.");
        const principal = await principalOf(request, options.tokenScopes);
        caller = await callerForToken(await getDb(), principal);
        if (!caller) throw new ForbiddenError("This token does not act as an active non-human identity.");
      } else {
        // Only cookie-authenticated requests can be forged cross-site.
        assertSameOrigin(request);
        caller = await getCaller();
        if (!caller) throw new UnauthenticatedError();
      }
      const result = await handler({ caller, request, params: await paramsOf(context) });
      return result instanceof Response ? result : NextResponse.json(result);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/**
 * A route for machine sources that speak for many identities (log shippers,
 * PAM recorders): only a bearer token with the scope gets in, never a session.
 */
export function tokenRoute<P = Record<string, string>>(
  scope: TokenScope,
  handler: (args: { token: TokenPrincipal; request: Request; params: P }) => Promise<unknown>,
) {
  return async (request: Request, context: RouteContext<P>) => {
    try {
      const token = await principalOf(request, [scope]);
      const result = await handler({ token, request, params: await paramsOf(context) });
      return result instanceof Response ? result : NextResponse.json(result);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

// Cookie-authenticated writes must come from our own pages: a cross-site form
// or script carrying the session cookie is refused (proxy.ts does the same for server actions).
function assertSameOrigin(request: Request) {
  const refusal = crossSiteRefusal(request.method, request.headers);
  if (refusal) throw new ForbiddenError(refusal);
}

/** JSON text as a value, or a 422: malformed JSON, or a value breaking the input rules (naming the field). */
function parseJsonBody(text: string): unknown {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ValidationError({ _: ["The request body must be JSON."] }, "The request body must be JSON.");
  }
  assertSafeInput(body);
  return body;
}

/**
 * The body as text, refused with a 413 as soon as it passes maxBytes: a
 * declared length over the limit before reading, a longer stream part way.
 */
export async function boundedText(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw new PayloadTooLargeError(maxBytes);
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new PayloadTooLargeError(maxBytes);
    chunks.push(chunk);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** Reads a JSON body (see parseJsonBody), refusing one over maxBytes when given. */
export const jsonBody = async (request: Request, maxBytes?: number): Promise<unknown> =>
  parseJsonBody(maxBytes === undefined ? await request.text() : await boundedText(request, maxBytes));

/** A JSON body that may be left out: an empty body reads as {}. */
export async function optionalJsonBody(request: Request): Promise<unknown> {
  const text = await request.text();
  return text.trim() === "" ? {} : parseJsonBody(text);
}

/** The query string as an object (the last value of a repeated name), checked against the input rules. */
export function searchParamsOf(request: Request): Record<string, string> {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  assertSafeInput(params);
  return params;
}
