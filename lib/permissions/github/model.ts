import type { PermissionStatement, PrivilegeLevel } from "@/db/schema";
import type { PermissionModel } from "../model";

/*
 * GitHub access, as this product names it: a repository permission is `repo:<name>:<role>` with roles
 * ranked read < triage < write < maintain < admin (a role includes those below it), and organisation
 * ownership is `org:owner`. Uses are named the same way, by the least role an action needs: a push is
 * `repo:api:write`, changing a repository's collaborators `repo:api:admin`.
 * Roles: https://docs.github.com/en/organizations/managing-user-access-to-your-organizations-repositories/managing-repository-roles/repository-roles-for-an-organization
 */

const repoRoles = ["read", "triage", "write", "maintain", "admin"] as const;
export type RepoRole = (typeof repoRoles)[number];

export const repoAction = (repo: string, role: RepoRole) => `repo:${repo}:${role}`;
export const ORG_OWNER_ACTION = "org:owner";

/** What a repository role allows: its own actions and those of every role below it. */
export const repoRoleStatements = (repo: string, role: RepoRole): PermissionStatement[] => [
  { effect: "Allow", actions: repoRoles.slice(0, repoRoles.indexOf(role) + 1).map((r) => repoAction(repo, r)), conditional: false, allResources: true },
];

/** Organisation owners hold every repository's admin role and the organisation's settings. */
export const orgOwnerStatements: PermissionStatement[] = [{ effect: "Allow", actions: ["*"], conditional: false, allResources: true }];

/** admin: changes who has access and protections; write and maintain: changes code and releases; read and triage: standard. */
export const repoRoleLevel = (role: RepoRole): PrivilegeLevel =>
  role === "admin" ? "admin" : role === "write" || role === "maintain" ? "privileged" : "standard";

/** The role a REST permission names (`pull`, `push` are the API's older names for read and write). */
export function repoRoleOf(permission: string | null | undefined): RepoRole | null {
  const p = (permission ?? "").toLowerCase();
  if (p === "pull") return "read";
  if (p === "push") return "write";
  return (repoRoles as readonly string[]).includes(p) ? (p as RepoRole) : null;
}

const roleOfAction = (action: string) => action.slice(action.lastIndexOf(":") + 1) as RepoRole;

/** Git events (clone, fetch, push) reach the audit log only where they are streamed: seen once, reads are observable. */
export const GIT_EVENTS = "git";

export const githubPermissionModel: PermissionModel = {
  actionMatches: (pattern, action) => pattern === "*" || pattern === action,
  isSensitive: (action) => action === ORG_OWNER_ACTION || (action.startsWith("repo:") && roleOfAction(action) === "admin"),
  observability: (action, seen) => {
    if (!action.startsWith("repo:")) return "observable";
    const role = roleOfAction(action);
    return role === "read" || role === "write" ? (seen.has(GIT_EVENTS) ? "observable" : "data-event") : "observable";
  },
};
