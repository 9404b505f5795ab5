import type { PermissionStatement, PrivilegeLevel } from "@/db/schema";
import type { PermissionModel } from "../model";

/*
 * PostgreSQL privileges, as this product names them: `<schema>.<object>:<PRIVILEGE>` for an object
 * privilege ("public.accounts:SELECT"), `:<ATTRIBUTE>` for a role attribute (":SUPERUSER"). pgaudit
 * names a statement's class and command the same way, so a use matches the privilege it exercised.
 * https://www.postgresql.org/docs/15/ddl-priv.html · https://github.com/pgaudit/pgaudit
 */

export const objectAction = (object: string, privilege: string) => `${object}:${privilege.toUpperCase()}`;

/** Attributes that make a role an administrator of the server (it can change who may do what, or skip the checks). */
const ADMIN_ATTRIBUTES = ["SUPERUSER", "CREATEROLE", "BYPASSRLS"] as const;
const WRITES = new Set(["INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES"]);

export const privilegeStatements = (actions: string[]): PermissionStatement[] =>
  actions.length ? [{ effect: "Allow", actions: [...new Set(actions)].sort(), conditional: false, allResources: true }] : [];

/**
 * A default privilege (ALTER DEFAULT PRIVILEGES) as a statement naming what it
 * will grant: `payments.(future tables of app_owner):SELECT`. It approves no
 * use: once the owner creates a table, the server grants the privilege on it
 * and the next import reads that grant; until then it says, in the
 * entitlement and in its level, what the role is set to receive.
 */
const FUTURE = ".(future ";
/** An action a default privilege names (`payments.(future tables of app_owner):SELECT`). */
const isDefaultPrivilege = (action: string) => action.includes(FUTURE);

export const defaultPrivilegeStatement = (d: { owner: string; schema: string | null; objects: string; privileges: string[] }): PermissionStatement => ({
  effect: "Allow",
  actions: [...new Set(d.privileges.map((p) => objectAction(`${d.schema ?? "*"}${FUTURE}${d.objects} of ${d.owner})`, p)))].sort(),
  conditional: true,
  allResources: true,
  sid: `default privileges: ${d.objects} ${d.owner} creates in ${d.schema === null ? "any schema" : `schema ${d.schema}`}`,
});

/** A role's level: admin with an administrator attribute, privileged when it may change data, standard when it only reads. */
export function postgresLevel(actions: string[]): PrivilegeLevel {
  if (actions.some((a) => a === "*" || ADMIN_ATTRIBUTES.some((x) => a === `:${x}`))) return "admin";
  if (actions.some((a) => WRITES.has(a.slice(a.lastIndexOf(":") + 1)) || a.endsWith(":*"))) return "privileged";
  return "standard";
}

export const postgresPermissionModel: PermissionModel = {
  actionMatches: (pattern, action) => {
    if (pattern === "*" || pattern === action) return true;
    // A superuser passes every check; `<object>:*` is every privilege on one object.
    if (pattern === ":SUPERUSER") return true;
    return pattern.endsWith(":*") && action.startsWith(pattern.slice(0, -1));
  },
  isSensitive: (action) => postgresLevel([action]) !== "standard",
  // pgaudit logs the statement classes it is configured for: a server whose log was imported is taken to log them all.
  // A default privilege is on objects not yet created: no statement uses it as such, so it is never "unused".
  observability: (action) => (isDefaultPrivilege(action) ? "permission-only" : "observable"),
};
