import { NextResponse } from "next/server";
import { getCaller } from "@/lib/auth/auth";
import type { Caller } from "@/lib/auth/caller";
import { AppError, ForbiddenError, UnauthenticatedError, ValidationError } from "@/lib/errors";

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

/**
 * Wraps a route handler: resolves the signed-in caller (401 without one),
 * and turns thrown errors into JSON error bodies.
 */
export function route<P = Record<string, string>>(
  handler: (args: { caller: Caller; request: Request; params: P }) => Promise<unknown>,
) {
  return async (request: Request, context: RouteContext<P>) => {
    try {
      assertSameOrigin(request);
      const caller = await getCaller();
      if (!caller) throw new UnauthenticatedError();
      const result = await handler({ caller, request, params: await context.params });
      return result instanceof Response ? result : NextResponse.json(result);
    } catch (error) {
      const { status, body } = errorBody(error);
      return NextResponse.json(body, { status });
    }
  };
}

// Cookie-authenticated writes must come from our own pages: a cross-site form
// or script carrying the session cookie is refused.
function assertSameOrigin(request: Request) {
  if (request.method === "GET" || request.method === "HEAD") return;
  const origin = request.headers.get("origin");
  if (!origin) return;
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  if (new URL(origin).host !== host) throw new ForbiddenError("Cross-site requests are not accepted.");
}

/** Reads a JSON body, turning a malformed one into a validation error. */
export async function jsonBody(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new ValidationError({ _: ["The request body must be JSON."] }, "The request body must be JSON.");
  }
}

export const searchParamsOf = (request: Request) => Object.fromEntries(new URL(request.url).searchParams);
