import { AuthError } from "next-auth";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { NextRequest } from "next/server";
import { getDb } from "@/db/client";
import { TooManyRequestsError } from "@/lib/errors";
import { sourceOf } from "./peer";
import { errorResponse } from "./respond";
import { handlers, signIn } from "@/lib/auth/auth";
import { countFailure, refuseIfBlocked } from "@/lib/auth/failures";

export const SIGN_IN_PAGE = "/signin";

/** next-auth answers a failed sign-in by sending the browser to the sign-in page with an error (as a redirect, or as JSON for X-Auth-Return-Redirect). */
async function failedSignIn(response: Response): Promise<boolean> {
  let target = response.headers.get("location");
  if (!target && response.headers.get("content-type")?.includes("application/json")) {
    const body = (await response
      .clone()
      .json()
      .catch(() => null)) as { url?: unknown } | null;
    target = typeof body?.url === "string" ? body.url : null;
  }
  if (!target) return false;
  try {
    const url = new URL(target, "http://localhost");
    return url.pathname === SIGN_IN_PAGE && url.searchParams.has("error");
  } catch {
    return false;
  }
}

type Handler = (request: NextRequest) => Promise<Response>;

/**
 * next-auth's routes, with sign-in callbacks (persona and OIDC) under the
 * failed-authentication limit: a blocked source is answered 429 before
 * next-auth runs, and a callback that ends on the error page counts as a failure.
 */
function limited(handler: Handler): Handler {
  return async (request) => {
    if (!request.nextUrl.pathname.startsWith("/api/auth/callback/")) return handler(request);
    const source = sourceOf(request.headers);
    try {
      refuseIfBlocked(source);
      const response = await handler(request);
      if (await failedSignIn(response)) await countFailure(await getDb(), source, "sign-in");
      return response;
    } catch (error) {
      if (error instanceof TooManyRequestsError) return errorResponse(error);
      throw error;
    }
  };
}

export const authRouteHandlers = { GET: limited(handlers.GET), POST: limited(handlers.POST) };

/**
 * The persona form's sign-in (a server action, so next-auth runs in-process
 * rather than through its routes): the same limit, failures shown on the page.
 */
export async function signInPersona(persona: string, redirectTo: string): Promise<never> {
  const source = sourceOf(await headers());
  let failure: string;
  try {
    refuseIfBlocked(source);
    await signIn("demo", { persona, redirectTo });
    failure = "Configuration"; // signIn redirects on success: not reached
  } catch (e) {
    if (e instanceof TooManyRequestsError) redirect(`${SIGN_IN_PAGE}?error=RateLimited`);
    if (!(e instanceof AuthError)) throw e; // including the success redirect
    failure = e.type;
    try {
      await countFailure(await getDb(), source, "sign-in");
    } catch (limit) {
      if (limit instanceof TooManyRequestsError) failure = "RateLimited";
      else throw limit;
    }
  }
  redirect(`${SIGN_IN_PAGE}?error=${encodeURIComponent(failure)}`);
}
