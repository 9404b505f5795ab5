import { isObject } from "./resource";

// Returned whatever attributes= asks (RFC 7643 §7, returned "always").
const ALWAYS = ["id", "schemas"];

type Path = { top: string; sub?: string };

/** `userName, name.givenName, urn:…:enterprise:2.0:User:department` → paths relative to the resource, lower case. */
function parsePaths(list: string, coreUrn: string, extensionUrns: string[]): Path[] {
  return list
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const lower = p.toLowerCase();
      if (lower.startsWith(coreUrn.toLowerCase() + ":")) p = p.slice(coreUrn.length + 1);
      else {
        const ext = extensionUrns.find((u) => lower.startsWith(u.toLowerCase() + ":") || lower === u.toLowerCase());
        if (ext) return { top: ext.toLowerCase(), sub: p.slice(ext.length + 1).toLowerCase() || undefined };
      }
      const [top, sub] = p.toLowerCase().split(".", 2);
      return { top, sub };
    });
}

function pick(value: unknown, sub: string): unknown {
  if (Array.isArray(value)) return value.map((v) => pick(v, sub)).filter((v) => v !== undefined && !(isObject(v) && Object.keys(v).length === 0));
  if (!isObject(value)) return undefined;
  const key = Object.keys(value).find((k) => k.toLowerCase() === sub);
  return key === undefined ? {} : { [key]: value[key] };
}

function merge(a: unknown, b: unknown): unknown {
  if (isObject(a) && isObject(b)) return { ...a, ...b };
  if (Array.isArray(a) && Array.isArray(b)) return a.map((x, i) => merge(x, b[i]));
  return b ?? a;
}

/**
 * The resource trimmed to `attributes` or without `excludedAttributes`
 * (RFC 7644 §3.4.2.5), with id and schemas always kept.
 */
export function project(
  resource: Record<string, unknown>,
  opts: { attributes?: string | null; excludedAttributes?: string | null },
  coreUrn: string,
): Record<string, unknown> {
  const extensionUrns = Object.keys(resource).filter((k) => k.toLowerCase().startsWith("urn:"));
  const keyOf = (top: string) => Object.keys(resource).find((k) => k.toLowerCase() === top);
  if (opts.attributes?.trim()) {
    const out: Record<string, unknown> = {};
    for (const k of ALWAYS) if (resource[k] !== undefined) out[k] = resource[k];
    for (const { top, sub } of parsePaths(opts.attributes, coreUrn, extensionUrns)) {
      const key = keyOf(top);
      if (!key) continue;
      out[key] = sub ? merge(out[key], pick(resource[key], sub)) : resource[key];
    }
    return out;
  }
  if (opts.excludedAttributes?.trim()) {
    const out: Record<string, unknown> = structuredClone(resource);
    for (const { top, sub } of parsePaths(opts.excludedAttributes, coreUrn, extensionUrns)) {
      const key = keyOf(top);
      if (!key || ALWAYS.includes(key)) continue;
      if (!sub) delete out[key];
      else {
        const strip = (v: unknown) => {
          if (!isObject(v)) return;
          const k = Object.keys(v).find((x) => x.toLowerCase() === sub);
          if (k) delete v[k];
        };
        if (Array.isArray(out[key])) (out[key] as unknown[]).forEach(strip);
        else strip(out[key]);
      }
    }
    return out;
  }
  return resource;
}

/** Whether a list must load group members at all: not when they are excluded or not asked for. */
export function wantsMembers(opts: { attributes?: string | null; excludedAttributes?: string | null }): boolean {
  const names = (s?: string | null) =>
    (s ?? "").split(",").map(
      (p) =>
        p
          .trim()
          .toLowerCase()
          .replace(/^urn:ietf:params:scim:schemas:core:2\.0:group:/, "")
          .split(".")[0],
    );
  if (opts.attributes?.trim()) return names(opts.attributes).includes("members");
  return !names(opts.excludedAttributes).includes("members");
}
