// Wildcard matching for IAM Resource and Principal elements: `*` matches any
// run of characters (including none), `?` exactly one. In an ARN each of the
// first five colon-separated parts (arn, partition, service, region, account)
// is matched on its own, so a `*` in the region never swallows the account;
// the resource part is matched as a whole (it may hold colons and slashes).
// Resource ARNs compare case-sensitively, as AWS does.

const REGEXP_SPECIAL = /[.+^${}()|[\]\\]/g;
const cache = new Map<string, RegExp>();

function compile(glob: string, flags: string): RegExp {
  const key = `${flags}\u0000${glob}`;
  let re = cache.get(key);
  if (!re) {
    if (cache.size > 20_000) cache.clear();
    re = new RegExp(`^${glob.replace(REGEXP_SPECIAL, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, flags);
    cache.set(key, re);
  }
  return re;
}

const plainMatches = (pattern: string, value: string, ignoreCase: boolean): boolean =>
  pattern === "*" ||
  (pattern.includes("*") || pattern.includes("?")
    ? compile(pattern, ignoreCase ? "i" : "").test(value)
    : ignoreCase
      ? pattern.toLowerCase() === value.toLowerCase()
      : pattern === value);

/** An ARN's six parts (the last is the resource, colons and all), or null for anything else. */
function arnParts(s: string): string[] | null {
  if (!s.startsWith("arn:")) return null;
  const parts: string[] = [];
  let at = 0;
  for (let i = 0; i < 5; i++) {
    const colon = s.indexOf(":", at);
    if (colon < 0) return null;
    parts.push(s.slice(at, colon));
    at = colon + 1;
  }
  parts.push(s.slice(at));
  return parts;
}

/** Pairs two strings part by part when both are ARNs; otherwise as wholes. */
function byParts(a: string, b: string, test: (x: string, y: string) => boolean): boolean {
  const pa = arnParts(a);
  const pb = arnParts(b);
  if (!pa || !pb) return test(a, b);
  return pa.every((x, i) => test(x, pb[i]));
}

/** Whether `value` matches the IAM wildcard `pattern`. */
export const globMatches = (pattern: string, value: string, ignoreCase = false): boolean =>
  pattern === "*" ||
  // Without a wildcard, matching part by part is plain equality (the common case: an ARN named outright).
  (!pattern.includes("*") && !pattern.includes("?")
    ? ignoreCase
      ? pattern.toLowerCase() === value.toLowerCase()
      : pattern === value
    : byParts(pattern, value, (x, y) => plainMatches(x, y, ignoreCase)));

/**
 * Whether two IAM wildcard patterns match at least one common string: can a
 * statement on `a` apply to some resource the caller may choose within `b`?
 * (A function the attacker creates may take any name the pattern allows.)
 */
export function globsIntersect(a: string, b: string): boolean {
  if (a === "*" || b === "*") return true;
  return byParts(a, b, intersect);
}

function intersect(a: string, b: string): boolean {
  if (a === "*" || b === "*") return true;
  // reach[i][j]: a[i..] and b[j..] can still produce a common suffix.
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let out: boolean;
    if (i === a.length && j === b.length) out = true;
    else if (i < a.length && a[i] === "*") out = go(i + 1, j) || (j < b.length && go(i, j + 1)) || (j < b.length && b[j] === "*" && go(i + 1, j + 1));
    else if (j < b.length && b[j] === "*") out = go(i, j + 1) || (i < a.length && go(i + 1, j));
    else if (i < a.length && j < b.length) out = (a[i] === b[j] || a[i] === "?" || b[j] === "?") && go(i + 1, j + 1);
    else out = false;
    memo.set(key, out);
    return out;
  };
  return go(0, 0);
}

/**
 * Whether every string `inner` can produce is matched by `outer`: does a Deny
 * on `outer` block the whole choice `inner` leaves the caller? Wildcards in
 * `inner` are read literally against `outer`'s, which is exact when `outer`'s
 * wildcards sit where `inner`'s do and errs towards "blocked" otherwise.
 */
export const globCovers = (outer: string, inner: string): boolean => outer === "*" || byParts(outer, inner, (x, y) => plainMatches(x, y, false));

/**
 * The account and role name an IAM role ARN or an assumed-role session ARN
 * names (a session ARN omits the role's path, so a role is found by the two),
 * or null for anything else.
 */
export function roleOfArn(arn: string): { accountId: string; roleName: string } | null {
  const m = /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\/([^/]+)/.exec(arn) ?? /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m ? { accountId: m[1], roleName: m[2] } : null;
}

/** Services whose actions change who may do what or hold keys: using one of their actions without approval is the most severe case. */
const SENSITIVE_SERVICES = /^(iam|sts|organizations|kms):/i;
export const isSensitiveAction = (action: string): boolean => SENSITIVE_SERVICES.test(action);

/** The account of an ARN (`arn:partition:service:region:account:resource`), or null. */
export function accountOf(arn: string): string | null {
  const parts = arn.split(":");
  return parts.length >= 6 && /^\d{12}$/.test(parts[4]) ? parts[4] : null;
}
