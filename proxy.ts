import { NextResponse, type NextRequest } from "next/server";
import { crossSiteRefusal } from "@/lib/http/origin";
import { isHttps } from "@/lib/http/peer";

// Coarse routing only: send visitors without a session cookie to sign-in, refuse
// cross-site writes, and set the per-request transport headers. Every page,
// action and route checks the caller itself.
// SCIM authenticates its bearer tokens itself and answers in SCIM errors, never with a sign-in redirect;
// chat interactions are authenticated by the chat's request signature.
const PUBLIC_PATHS = ["/signin", "/api/auth", "/api/health", "/scim/v2", "/api/chat"];
// Machine-readable answers hold personal data: no shared or browser cache keeps them.
const NO_STORE_PATHS = ["/api/", "/scim/"];
const HSTS = "max-age=31536000; includeSubDomains";
const SESSION_COOKIES = ["authjs.session-token", "__Secure-authjs.session-token"];

function contentSecurityPolicy(nonce: string) {
  const dev = process.env.NODE_ENV !== "production";
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // Style attributes (charts, widths) cannot carry a nonce.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self' http: https:",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Headers every answer gets, whoever produced it (this proxy, a page, a route). */
function transportHeaders(request: NextRequest, response: NextResponse): NextResponse {
  // HSTS only counts when received over https; sent over http it would only mislead.
  if (isHttps(request.headers)) response.headers.set("Strict-Transport-Security", HSTS);
  if (NO_STORE_PATHS.some((p) => request.nextUrl.pathname.startsWith(p))) response.headers.set("Cache-Control", "no-store");
  return response;
}

const jsonError = (status: number, code: string, message: string) => NextResponse.json({ error: { code, message } }, { status });

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const isPublic = PUBLIC_PATHS.some((p) => pathname === p || pathname.startsWith(`${p}/`));
  const hasSession = SESSION_COOKIES.some((name) => request.cookies.has(name));
  const hasBearer = (pathname.startsWith("/api/") || pathname.startsWith("/scim/")) && /^Bearer\s/i.test(request.headers.get("authorization") ?? "");

  // Browser writes (server actions, sign-in and sign-out, API calls with the
  // cookie) must come from our own pages. Next.js checks server actions too,
  // but answers a malformed Origin with a 500; route() repeats this for the API.
  // SCIM and bearer tokens carry no cookie and are not the browser's doing.
  const refusal = hasBearer || pathname.startsWith("/scim/") || pathname.startsWith("/api/chat/") ? null : crossSiteRefusal(request.method, request.headers);
  if (refusal) return transportHeaders(request, jsonError(403, "forbidden", refusal));

  if (!isPublic && !hasSession && !hasBearer) {
    if (pathname.startsWith("/api/")) return transportHeaders(request, jsonError(401, "unauthenticated", "Sign in to continue."));
    const url = request.nextUrl.clone();
    url.pathname = "/signin";
    url.search = `?callbackUrl=${encodeURIComponent(pathname + search)}`;
    return transportHeaders(request, NextResponse.redirect(url));
  }

  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const csp = contentSecurityPolicy(nonce);
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("Content-Security-Policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", csp);
  return transportHeaders(request, response);
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|icon.svg).*)"],
};
