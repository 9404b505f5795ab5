import { createHash } from "node:crypto";
import { ScimError } from "./errors";

/** A SCIM resource as JSON: what GET returns and PATCH applies to. */
export type ScimResource = Record<string, unknown> & { id: string; schemas: string[]; meta: ScimMeta };
export type ScimMeta = { resourceType: string; created: string; lastModified: string; location: string; version: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids we issue are UUIDs: anything else names no resource (and must not reach a uuid column). */
export const isUuid = (s: string) => UUID.test(s);

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Drops undefined members (JSON has none) so equal resources serialise, and so hash, alike. */
export function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * meta.version: a weak entity tag over everything the resource shows but its
 * meta, so a change anywhere (a group joined, a manager renamed) changes it.
 */
export function versionOf(resource: Record<string, unknown>): string {
  const { meta: _meta, ...content } = resource;
  return `W/"${createHash("sha256").update(JSON.stringify(content)).digest("base64url").slice(0, 22)}"`;
}

const opaque = (tag: string) => tag.trim().replace(/^W\//i, "");

/** RFC 7232 weak comparison of an If-Match / If-None-Match header against the current version. */
export function etagMatches(header: string, version: string): boolean {
  if (header.trim() === "*") return true;
  const current = opaque(version);
  return header.split(",").some((t) => opaque(t) === current);
}

/** If-Match on a change: a stale copy answers 412 and changes nothing. */
export function checkIfMatch(headers: Headers, version: string) {
  const ifMatch = headers.get("if-match");
  if (ifMatch && !etagMatches(ifMatch, version)) {
    throw new ScimError(412, "The resource changed since you read it (If-Match does not match its version); read it again and retry.");
  }
}

/** Finds a key case-insensitively, since SCIM attribute names are (RFC 7643 §2.1). */
export function keyOf(o: Record<string, unknown>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(o).find((k) => k.toLowerCase() === lower);
}
