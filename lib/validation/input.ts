/**
 * The rules every piece of incoming input obeys, whatever door it came in by
 * (JSON bodies, query strings, path segments, form values, NDJSON lines, SCIM
 * bodies, CLI options, server-action arguments). They are what PostgreSQL and
 * the rest of the product assume of text and structure:
 *
 * - no NUL character: PostgreSQL `text` and `jsonb` cannot hold U+0000, so a
 *   NUL that reached the driver would fail the statement (a 500);
 * - well-formed Unicode: a lone UTF-16 surrogate cannot be encoded as UTF-8,
 *   so it would be stored as U+FFFD or refused, never as sent;
 * - bounded size: strings of at most TEXT_MAX characters, structures at most
 *   DEPTH_MAX levels deep (recursive readers, the JSON columns and the SQL
 *   they feed all have limits of their own, reached long before a body nested
 *   5,000 levels deep is read to its end).
 *
 * Field schemas add tighter, field-specific limits (lib/validation/fields.ts);
 * this check runs first, at the boundary, on the whole input.
 */
/** Longest string accepted anywhere (PAM session details are the longest field, 100,000 characters). */
export const TEXT_MAX = 100_000;
/** Deepest nesting of objects and arrays accepted anywhere; real bodies nest fewer than ten levels. */
export const DEPTH_MAX = 32;

/** What is wrong with a string as input, or null when nothing is. */
export function textProblem(value: string, max = TEXT_MAX): string | null {
  if (value.includes("\u0000")) return "must not contain the NUL character (U+0000).";
  if (!value.isWellFormed()) return "must be well-formed Unicode (it holds a lone UTF-16 surrogate).";
  if (value.length > max) return `must be at most ${max.toLocaleString("en")} characters.`;
  return null;
}

export type InputPath = (string | number)[];
export type InputProblem = { path: InputPath; message: string };

const isPlainObject = (v: object) => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** The children of a container input: arrays, plain objects, FormData and URLSearchParams; anything else (a Date) is a leaf. */
function childrenOf(value: object): [string | number, unknown][] | null {
  if (Array.isArray(value)) return value.map((v, i) => [i, v]);
  if (value instanceof FormData || value instanceof URLSearchParams) return [...value.entries()];
  if (isPlainObject(value)) return Object.entries(value);
  return null;
}

/**
 * The first problem found in an input value (strings, object keys, nesting),
 * with the path to it; null when the value obeys the rules. Iterative, so a
 * hostile depth cannot exhaust the stack of the check itself.
 */
export function inputProblem(value: unknown, limits: { text?: number; depth?: number } = {}): InputProblem | null {
  const textMax = limits.text ?? TEXT_MAX;
  const depthMax = limits.depth ?? DEPTH_MAX;
  const stack: [unknown, InputPath][] = [[value, []]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === "string") {
      const problem = textProblem(v, textMax);
      if (problem) return { path, message: problem };
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    const children = childrenOf(v);
    if (!children) continue;
    if (path.length >= depthMax) return { path, message: `nests deeper than ${depthMax} levels.` };
    for (const [key, child] of children) {
      if (typeof key === "string") {
        const problem = textProblem(key, 1000);
        if (problem) return { path, message: `has a field name that ${problem}` };
      }
      stack.push([child, [...path, key]]);
    }
  }
  return null;
}

/** A path as field errors name it: "roles.0", "name.givenName"; "_" for the input as a whole. */
export const pathKey = (path: InputPath, prefix?: string) => [prefix, ...path].filter((p) => p !== undefined && p !== "").join(".") || "_";

/** A problem in words, naming where it is: `name.givenName must not contain …`. */
export const describeProblem = (p: InputProblem, prefix?: string) => `${p.path.length || prefix ? pathKey(p.path, prefix) : "The input"} ${p.message}`;
