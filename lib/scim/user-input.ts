import { URN } from "./constants";
import { badRequest } from "./errors";
import { asBoolean, type Canonical } from "./patch";
import { isObject, isUuid } from "./resource";

/** What a User body asks for, in the product's terms, with the document to keep. */
export type UserInput = {
  userName: string;
  externalId: string | null;
  displayName: string;
  title: string | null;
  active: boolean;
  /** The primary email (or userName when it is one); null when the body names none. */
  email: string | null;
  managerId: string | null;
  department: string | null;
  /** Everything else the identity provider wrote, kept in identities.attributes.scim. */
  doc: Record<string, unknown>;
};

const CORE = [
  "id",
  "externalId",
  "meta",
  "schemas",
  "userName",
  "name",
  "displayName",
  "nickName",
  "profileUrl",
  "title",
  "userType",
  "preferredLanguage",
  "locale",
  "timezone",
  "active",
  "password",
  "emails",
  "phoneNumbers",
  "ims",
  "photos",
  "addresses",
  "groups",
  "entitlements",
  "roles",
  "x509Certificates",
];
const ENTERPRISE = ["employeeNumber", "costCenter", "organization", "division", "department", "manager"];

/** Lower-case attribute names to the case the User schema gives them. */
export const USER_CANONICAL: Canonical = Object.fromEntries([
  ...CORE.map((n): [string, string] => [n.toLowerCase(), n]),
  ...ENTERPRISE.map((n): [string, string] => [`enterprise:${n.toLowerCase()}`, n]),
  [URN.enterprise.toLowerCase(), URN.enterprise],
]);

const MULTI_VALUED = ["emails", "phoneNumbers", "ims", "photos", "addresses", "entitlements", "roles", "x509Certificates"];
// Never kept: we do not hold passwords, and these are ours to state.
const DROPPED = ["id", "meta", "schemas", "groups", "password"];

function optionalString(value: unknown, what: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw badRequest("invalidValue", `${what} must be a string.`);
  return value.trim() === "" ? null : value.trim();
}

/** Canonical attribute names, a flattened extension attribute folded into its extension. */
function canonicalise(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const coreUrn = URN.user.toLowerCase() + ":";
  const entUrn = URN.enterprise.toLowerCase();
  for (const [rawKey, value] of Object.entries(body)) {
    let key = rawKey;
    if (key.toLowerCase().startsWith(coreUrn)) key = key.slice(coreUrn.length);
    const lower = key.toLowerCase();
    if (lower === entUrn) {
      if (!isObject(value)) throw badRequest("invalidValue", `${URN.enterprise} must be an object.`);
      out[URN.enterprise] = { ...(out[URN.enterprise] as object), ...canonicalEnterprise(value) };
    } else if (lower.startsWith(entUrn + ":")) {
      out[URN.enterprise] = { ...(out[URN.enterprise] as object), ...canonicalEnterprise({ [key.slice(entUrn.length + 1)]: value }) };
    } else {
      out[USER_CANONICAL[lower] ?? key] = value;
    }
  }
  return out;
}

function canonicalEnterprise(o: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [USER_CANONICAL[`enterprise:${k.toLowerCase()}`] ?? k, v]));
}

/** Entra ID sends the manager as a bare id; others as {"value": id}; an empty one clears it. */
function managerOf(value: unknown): string | null {
  const id = isObject(value) ? value[Object.keys(value).find((k) => k.toLowerCase() === "value") ?? "value"] : value;
  if (id === undefined || id === null || id === "") return null;
  if (typeof id !== "string" || !isUuid(id.trim())) throw badRequest("invalidValue", `manager.value must be the id of a User, not ${JSON.stringify(id)}.`);
  return id.trim().toLowerCase();
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** Reads a User body (POST, PUT, or a PATCH's result) into columns and the document to keep. */
export function readUserInput(raw: unknown): UserInput {
  if (!isObject(raw)) throw badRequest("invalidSyntax", "The body must be a User resource (a JSON object).");
  const body = canonicalise(raw);
  const userName = optionalString(body.userName, "userName");
  if (!userName) throw badRequest("invalidValue", "userName is required.");
  if (userName.length > 256) throw badRequest("invalidValue", "userName is at most 256 characters.");
  const active = body.active === undefined || body.active === null ? true : asBoolean(body.active);
  if (active === undefined) throw badRequest("invalidValue", "active must be true or false.");

  const doc: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (DROPPED.includes(key) || key === "deleted" || value === null || value === undefined) continue;
    if (MULTI_VALUED.includes(key)) {
      if (!Array.isArray(value)) throw badRequest("invalidValue", `${key} must be an array.`);
      doc[key] = value.map((v, i) => {
        if (!isObject(v)) throw badRequest("invalidValue", `${key}[${i}] must be an object.`);
        const primary = v.primary === undefined ? undefined : asBoolean(v.primary);
        if (v.primary !== undefined && primary === undefined) throw badRequest("invalidValue", `${key}[${i}].primary must be true or false.`);
        return primary === undefined ? v : { ...v, primary };
      });
    } else {
      doc[key] = value;
    }
  }
  const enterprise = isObject(doc[URN.enterprise]) ? { ...(doc[URN.enterprise] as Record<string, unknown>) } : undefined;
  const managerId = enterprise ? managerOf(enterprise.manager) : null;
  const department = enterprise ? optionalString(enterprise.department, "department") : null;
  if (enterprise) {
    // The manager lives in its column; the department is kept as written, so a group change cannot override it.
    delete enterprise.manager;
    if (department) enterprise.department = department;
    else delete enterprise.department;
    if (Object.keys(enterprise).length) doc[URN.enterprise] = enterprise;
    else delete doc[URN.enterprise];
  }

  const emails = (doc.emails as Record<string, unknown>[] | undefined) ?? [];
  const primary = emails.find((e) => e.primary === true) ?? emails[0];
  let email: string | null = null;
  if (primary !== undefined) {
    if (typeof primary.value !== "string" || !EMAIL.test(primary.value.trim()))
      throw badRequest("invalidValue", `emails: ${JSON.stringify(primary.value)} is not an email address.`);
    email = primary.value.trim();
  } else if (EMAIL.test(userName)) {
    email = userName;
  }

  const name = isObject(doc.name) ? doc.name : {};
  const given = [name.givenName, name.familyName].filter((p): p is string => typeof p === "string" && p.trim() !== "").join(" ");
  const displayName = optionalString(body.displayName, "displayName") ?? optionalString(name.formatted, "name.formatted") ?? (given || userName);

  doc.userName = userName;
  for (const column of ["externalId", "displayName", "title", "active"]) delete doc[column];
  return {
    userName,
    externalId: optionalString(body.externalId, "externalId"),
    displayName,
    title: optionalString(body.title, "title"),
    active,
    email,
    managerId,
    department,
    doc,
  };
}
