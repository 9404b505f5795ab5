import { configure } from "safe-stable-stringify";

// Sorted keys (code-unit order), undefined properties left out, Dates as ISO text; a cycle throws rather than being spelled.
const stringify = configure({ deterministic: true, circularValue: TypeError, bigint: false });

/**
 * One spelling of a JSON value: keys sorted, so the same value stored in
 * jsonb (which keeps keys in its own order) and built in code compare and
 * hash alike. Audit chain signatures, import comparisons and analysis
 * digests all use it.
 */
export function canonicalJson(value: unknown): string {
  return stringify(value) ?? "null";
}
