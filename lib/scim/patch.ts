// PATCH operations are applied by scim-patch (Unlicense, ~600k downloads a
// month, by the author of scim2-parse-filter): it implements RFC 7644 §3.5.2
// on a plain resource object, value-path filters (`emails[type eq "work"].value`)
// and extension URNs included. Around it we read the PatchOp message and
// smooth over what Okta and Entra ID actually send: capitalised op names,
// attribute names in another case, "False" for false, a manager as a bare id.
import { scimPatch, type ScimPatchOperation } from "scim-patch";
import { URN } from "./constants";
import { badRequest } from "./errors";
import { isObject, keyOf } from "./resource";

export type PatchOperation = { op: "add" | "replace" | "remove"; path?: string; value?: unknown };

const MAX_OPERATIONS = 1000;

/** The operations of a PatchOp message, validated (RFC 7644 §3.5.2). */
export function readPatchRequest(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw badRequest("invalidSyntax", 'Send a PatchOp message: {"schemas": ["' + URN.patchOp + '"], "Operations": [...]}.');
  const schemasKey = keyOf(body, "schemas");
  const schemas = schemasKey ? body[schemasKey] : undefined;
  if (schemas !== undefined && !(Array.isArray(schemas) && schemas.includes(URN.patchOp))) {
    throw badRequest("invalidSyntax", `A PATCH body's schemas must be ["${URN.patchOp}"].`);
  }
  const opsKey = keyOf(body, "Operations");
  const ops = opsKey ? body[opsKey] : undefined;
  if (!Array.isArray(ops) || ops.length === 0) throw badRequest("invalidSyntax", "A PatchOp message needs a non-empty Operations array.");
  if (ops.length > MAX_OPERATIONS) throw badRequest("invalidSyntax", `At most ${MAX_OPERATIONS} operations per PATCH.`);
  return ops.map((raw, i) => {
    if (!isObject(raw)) throw badRequest("invalidSyntax", `Operations[${i}] must be an object.`);
    const get = (name: string) => {
      const key = keyOf(raw, name);
      return key ? raw[key] : undefined;
    };
    const op = typeof get("op") === "string" ? (get("op") as string).toLowerCase() : "";
    if (op !== "add" && op !== "replace" && op !== "remove") throw badRequest("invalidSyntax", `Operations[${i}].op must be add, replace or remove.`);
    const path = get("path");
    if (path !== undefined && (typeof path !== "string" || path.trim() === ""))
      throw badRequest("invalidPath", `Operations[${i}].path must be a non-empty string.`);
    if (op === "remove" && path === undefined) throw badRequest("noTarget", `Operations[${i}]: remove needs a path.`);
    const hasValue = keyOf(raw, "value") !== undefined;
    if (op !== "remove" && !hasValue) throw badRequest("invalidSyntax", `Operations[${i}]: ${op} needs a value.`);
    return { op, path: path?.trim(), value: get("value") };
  });
}

/** Attribute names in the case the resource uses, by lower case. */
export type Canonical = Record<string, string>;

/** `urn:…:core:2.0:User:userName` → `userName`; `Active` → `active`; extension names in their own case. */
export function canonicalPath(path: string, coreUrn: string, canonical: Canonical): string {
  let p = path;
  if (p.toLowerCase().startsWith(coreUrn.toLowerCase() + ":")) p = p.slice(coreUrn.length + 1);
  if (p.toLowerCase().startsWith(URN.enterprise.toLowerCase())) {
    const rest = p.slice(URN.enterprise.length);
    if (rest === "") return URN.enterprise;
    if (rest.startsWith(":")) {
      const name = rest.slice(1);
      const head = /^[^.[]+/.exec(name)?.[0] ?? name;
      return `${URN.enterprise}:${canonical[`enterprise:${head.toLowerCase()}`] ?? head}${name.slice(head.length)}`;
    }
  }
  const head = /^[^.[]+/.exec(p)?.[0] ?? p;
  return (canonical[head.toLowerCase()] ?? head) + p.slice(head.length);
}

/**
 * Applies the operations to a copy of the resource. A path-less add or
 * replace whose value names attributes by path (`"name.givenName"`, a value
 * filter) is split into one operation per attribute, which scim-patch then
 * applies as if the identity provider had sent them so.
 */
export function applyPatch<T extends Record<string, unknown>>(resource: T, ops: PatchOperation[], coreUrn: string, canonical: Canonical): T {
  const expanded: ScimPatchOperation[] = [];
  for (const o of ops) {
    if (o.path !== undefined) {
      expanded.push({ op: o.op, path: canonicalPath(o.path, coreUrn, canonical), value: o.value });
      continue;
    }
    if (!isObject(o.value)) throw badRequest("invalidValue", `A ${o.op} without a path takes an object of attributes.`);
    const plain: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(o.value)) {
      const path = canonicalPath(key, coreUrn, canonical);
      if (path.includes("[") || path.includes(".") || path.startsWith(URN.enterprise + ":")) expanded.push({ op: o.op, path, value });
      else plain[path] = value;
    }
    if (Object.keys(plain).length) expanded.push({ op: o.op, value: plain } as ScimPatchOperation);
  }
  const copy = structuredClone(resource) as T & { meta: never; schemas: string[] };
  return scimPatch(copy, expanded, { mutateDocument: true, treatMissingAsAdd: true });
}

/** "True", "false", true: what identity providers send for a boolean. */
export function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === "true";
  return undefined;
}
