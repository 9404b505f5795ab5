/**
 * The host a request was addressed to, as the browser saw it (behind a proxy,
 * the one it forwarded). Next.js fills X-Forwarded-Host from Host when no
 * proxy set it.
 */
export function requestHost(headers: Headers): string | null {
  return headers.get("x-forwarded-host")?.split(",")[0].trim() || headers.get("host");
}

/** The public origin of a request (scheme and host), as the client reached it; url is the request's own URL where known. */
export function publicOrigin(headers: Headers, url?: string): string {
  const own = url ? new URL(url) : null;
  const proto = headers.get("x-forwarded-proto")?.split(",")[0].trim() || own?.protocol.replace(/:$/, "") || "http";
  return `${proto}://${requestHost(headers) ?? own?.host ?? "localhost"}`;
}

/** The app's origin: AUTH_URL's when set (behind a proxy), else the request's. */
export function appOrigin(headers: Headers, url?: string): string {
  return process.env.AUTH_URL ? new URL(process.env.AUTH_URL).origin : publicOrigin(headers, url);
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Why a cookie-authenticated request must be refused as cross-site, or null
 * when it may proceed. Reads are always fine; a write without Origin comes from
 * a non-browser client, which holds no one else's cookie. An Origin that is
 * "null" (sandboxed frames, some redirects) or does not parse at all cannot be
 * shown to be ours, so it is refused like a foreign one.
 */
export function crossSiteRefusal(method: string, headers: Headers): string | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  const origin = headers.get("origin");
  if (origin === null) return null;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return "The Origin header is not a URL; cross-site requests are not accepted.";
  }
  if (!originHost) return "The Origin header names no site; cross-site requests are not accepted.";
  if (originHost !== requestHost(headers)) return "Cross-site requests are not accepted.";
  return null;
}
