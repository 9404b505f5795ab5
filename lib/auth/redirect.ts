// Stands in for the app's origin when the caller does not know it: relative
// paths resolve against it, and nothing else can share it.
const PLACEHOLDER_ORIGIN = "https://app.invalid";

// Browsers read "\" as "/" and drop tabs and line breaks from URLs, so
// "/\evil.example" and "/<tab>/evil.example" become "//evil.example", another
// site. Such input is refused rather than cleaned up.
// eslint-disable-next-line no-control-regex -- control characters are exactly what it refuses
const AMBIGUOUS = /[\\\u0000-\u001f\u007f]/;

function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Any post-sign-in destination (callbackUrl, redirectTo) as a path on this
 * app, or "/" when it is anything else: another origin, a protocol-relative
 * or scheme URL (javascript:), or text a browser would read differently than
 * the URL parser does. An absolute URL is kept only when its origin is the
 * app's own (appOrigin).
 */
export function safeRedirectPath(raw: unknown, appOrigin?: string): string {
  if (typeof raw !== "string" || raw === "" || raw.length > 2048) return "/";
  if (AMBIGUOUS.test(raw) || AMBIGUOUS.test(decoded(raw))) return "/";
  const base = appOrigin ?? PLACEHOLDER_ORIGIN;
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return "/";
  }
  if (url.origin !== new URL(base).origin || url.username || url.password) return "/";
  const path = `${url.pathname}${url.search}${url.hash}`;
  // "/.//evil.example" normalises to "//evil.example": protocol-relative once sent as a Location.
  return path.startsWith("//") ? "/" : path;
}
