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
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** The children of a container input as [key, value] pairs: FormData and URLSearchParams (arrays and plain objects are walked in place). */
const entriesOf = (value: FormData | URLSearchParams): [string, unknown][] => [...value.entries()];

/**
 * The first problem found in an input value (strings, object keys, nesting),
 * with the path to it; null when the value obeys the rules. Iterative, so a
 * hostile depth cannot exhaust the stack of the check itself; paths are built
 * only for a problem found (an import's export holds millions of values, and
 * a path per value was most of the check's time).
 */
export function inputProblem(value: unknown, limits: { text?: number; depth?: number } = {}): InputProblem | null {
  const textMax = limits.text ?? TEXT_MAX;
  const depthMax = limits.depth ?? DEPTH_MAX;
  // What is still to check, as parallel stacks: the value, its key, the container it is in, its depth.
  const values: unknown[] = [value];
  const keys: (string | number | undefined)[] = [undefined];
  const parents: number[] = [-1];
  const depths: number[] = [0];
  // Every container entered (its key and its own container), to spell out a problem's path.
  const containerKey: (string | number | undefined)[] = [];
  const containerParent: number[] = [];
  const pathOf = (parent: number, key: string | number | undefined): InputPath => {
    const path: InputPath = key === undefined ? [] : [key];
    for (let c = parent; c >= 0; c = containerParent[c]) if (containerKey[c] !== undefined) path.push(containerKey[c]!);
    return path.reverse();
  };
  while (values.length) {
    const v = values.pop();
    const key = keys.pop();
    const parent = parents.pop()!;
    const depth = depths.pop()!;
    if (typeof v === "string") {
      const problem = textProblem(v, textMax);
      if (problem) return { path: pathOf(parent, key), message: problem };
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    const isArray = Array.isArray(v);
    const isForm = !isArray && (v instanceof FormData || v instanceof URLSearchParams);
    if (!isArray && !isForm && !isPlainObject(v)) continue; // a Date, say: a leaf
    if (depth >= depthMax) return { path: pathOf(parent, key), message: `nests deeper than ${depthMax} levels.` };
    const self = containerKey.length;
    containerKey.push(key);
    containerParent.push(parent);
    if (isArray) {
      for (let i = 0; i < v.length; i++) {
        values.push(v[i]);
        keys.push(i);
        parents.push(self);
        depths.push(depth + 1);
      }
      continue;
    }
    const entries = isForm ? entriesOf(v) : null;
    const names = entries ? entries.map(([k]) => k) : Object.keys(v);
    for (let i = 0; i < names.length; i++) {
      const problem = textProblem(names[i], 1000);
      if (problem) return { path: pathOf(parent, key), message: `has a field name that ${problem}` };
      values.push(entries ? entries[i][1] : (v as Record<string, unknown>)[names[i]]);
      keys.push(names[i]);
      parents.push(self);
      depths.push(depth + 1);
    }
  }
  return null;
}

/** A path as field errors name it: "roles.0", "name.givenName"; "_" for the input as a whole. */
export const pathKey = (path: InputPath, prefix?: string) => [prefix, ...path].filter((p) => p !== undefined && p !== "").join(".") || "_";

/** A problem in words, naming where it is: `name.givenName must not contain …`. */
export const describeProblem = (p: InputProblem, prefix?: string) => `${p.path.length || prefix ? pathKey(p.path, prefix) : "The input"} ${p.message}`;
