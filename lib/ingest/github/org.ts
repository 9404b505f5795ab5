// A GitHub organisation's access as its REST API returns it, one JSON file per endpoint (the layout in the README):
// members (and which are owners), outside collaborators, teams with their members, and repositories with their
// direct collaborators and teams, each with the role it grants.
// https://docs.github.com/en/rest/orgs/members, /rest/teams/members, /rest/collaborators/collaborators, /rest/repos/repos#list-repository-teams
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { ValidationError } from "@/lib/errors";
import { repoRoleOf, type RepoRole } from "@/lib/permissions/github/model";

const login = z
  .string()
  .min(1, "is empty")
  .max(100, "is longer than 100 characters")
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]|\[bot\]$)*$/, "is not a GitHub login");
const user = z.object({ login, id: z.number().int().nonnegative().optional(), type: z.enum(["User", "Bot", "Organization"]).optional() });
const users = z.array(user).max(100_000);
const slug = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._-]+$/, "is not a team slug");
const repoName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._-]+$/, "is not a repository name");
const permissions = z
  .object({ admin: z.boolean(), maintain: z.boolean().optional(), push: z.boolean(), triage: z.boolean().optional(), pull: z.boolean() })
  .partial();

const githubExport = z
  .object({
    org: z.object({ login }),
    members: users,
    admins: users.optional(),
    outsideCollaborators: users.optional(),
    teams: z
      .array(z.object({ slug, name: z.string().max(200).optional(), members: users.default([]) }))
      .max(10_000)
      .default([]),
    repos: z
      .array(
        z.object({
          name: repoName,
          archived: z.boolean().optional(),
          collaborators: z
            .array(user.extend({ role_name: z.string().max(100).optional(), permissions: permissions.optional() }))
            .max(100_000)
            .default([]),
          teams: z
            .array(z.object({ slug, permission: z.string().max(100).optional(), role_name: z.string().max(100).optional() }))
            .max(10_000)
            .default([]),
        }),
      )
      .max(100_000),
  })
  .strict();
export type GitHubExport = z.input<typeof githubExport>;

export type GitHubAccount = { login: string; id: number | null; type: "User" | "Bot"; outside: boolean };
export type GitHubInventory = {
  org: string;
  /** By lower-case login. */
  accounts: Map<string, GitHubAccount>;
  owners: Set<string>;
  members: Set<string>;
  /** (login, repo, role) held directly or through a team, with how. */
  repoGrants: { login: string; repo: string; role: RepoRole; via: string }[];
  warnings: string[];
};

/** The role a collaborator entry grants: its role name, else the highest of its permission flags. */
function collaboratorRole(c: { role_name?: string; permissions?: z.infer<typeof permissions> }): RepoRole | null {
  const named = repoRoleOf(c.role_name);
  if (named) return named;
  const p = c.permissions ?? {};
  return p.admin ? "admin" : p.maintain ? "maintain" : p.push ? "write" : p.triage ? "triage" : p.pull ? "read" : null;
}

export function parseGitHubExport(raw: unknown): GitHubInventory {
  const parsed = githubExport.safeParse(raw);
  if (!parsed.success) {
    const problems: Record<string, string[]> = {};
    for (const issue of parsed.error.issues.slice(0, 20)) (problems[issue.path.join(".") || "export"] ??= []).push(issue.message);
    throw new ValidationError(problems);
  }
  const x = parsed.data;
  const inv: GitHubInventory = { org: x.org.login, accounts: new Map(), owners: new Set(), members: new Set(), repoGrants: [], warnings: [] };
  const account = (u: z.infer<typeof user>, outside = false) => {
    const key = u.login.toLowerCase();
    const seen = inv.accounts.get(key);
    if (!seen) inv.accounts.set(key, { login: u.login, id: u.id ?? null, type: u.type === "Bot" || u.login.endsWith("[bot]") ? "Bot" : "User", outside });
    else if (!outside) seen.outside = false;
    return key;
  };
  for (const m of x.members) inv.members.add(account(m));
  for (const a of x.admins ?? []) {
    const key = account(a);
    inv.owners.add(key);
    inv.members.add(key);
  }
  for (const o of x.outsideCollaborators ?? []) if (!inv.members.has(o.login.toLowerCase())) account(o, true);
  const teamMembers = new Map(x.teams.map((t) => [t.slug, t.members.map((m) => account(m))]));
  for (const r of x.repos) {
    for (const c of r.collaborators) {
      const role = collaboratorRole(c);
      const key = account(c, !inv.members.has(c.login.toLowerCase()));
      if (role) inv.repoGrants.push({ login: key, repo: r.name, role, via: "direct" });
      else inv.warnings.push(`${r.name}: collaborator ${c.login} has no role the import knows (${c.role_name ?? "no role name"}).`);
    }
    for (const t of r.teams) {
      const role = repoRoleOf(t.role_name) ?? repoRoleOf(t.permission);
      const members = teamMembers.get(t.slug);
      if (!role) inv.warnings.push(`${r.name}: team ${t.slug} has no role the import knows (${t.role_name ?? t.permission ?? "none"}).`);
      else if (!members) inv.warnings.push(`${r.name}: team ${t.slug} is not in teams (its members are unknown).`);
      else for (const key of members) inv.repoGrants.push({ login: key, repo: r.name, role, via: `team ${t.slug}` });
    }
  }
  return inv;
}

/**
 * Reads the export from a directory laid out as the README says: `org.json`,
 * `members.json`, `admins.json` (members?role=admin), `outside_collaborators.json`,
 * `teams.json` with `teams/<slug>/members.json`, and `repos.json` with
 * `repos/<name>/collaborators.json` (affiliation=direct) and `repos/<name>/teams.json`.
 * Optional files may be absent; a file that is there must be JSON.
 */
export async function readGitHubExportDir(dir: string): Promise<GitHubExport> {
  const read = async (file: string, required: boolean): Promise<unknown> => {
    let text: string;
    try {
      text = await readFile(path.join(dir, file), "utf8");
    } catch (e) {
      if (!required && (e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new ValidationError({ [file]: [`cannot be read: ${(e as Error).message}`] });
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new ValidationError({ [file]: [`is not JSON (${(e as Error).message}).`] });
    }
  };
  const list = (v: unknown, file: string): Record<string, unknown>[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw new ValidationError({ [file]: ["must be a JSON array, as the API returns it (all pages concatenated)."] });
    return v as Record<string, unknown>[];
  };
  const name = (x: Record<string, unknown>, key: string, file: string) => {
    const v = x[key];
    if (typeof v !== "string" || !/^[A-Za-z0-9._-]+$/.test(v)) throw new ValidationError({ [file]: [`an entry's ${key} is not a plain name.`] });
    return v;
  };
  const teams = await Promise.all(
    list(await read("teams.json", false), "teams.json").map(async (t) => {
      const slug = name(t, "slug", "teams.json");
      return { ...t, members: list(await read(`teams/${slug}/members.json`, false), `teams/${slug}/members.json`) };
    }),
  );
  const repos = await Promise.all(
    list(await read("repos.json", true), "repos.json").map(async (r) => {
      const repo = name(r, "name", "repos.json");
      return {
        name: repo,
        archived: r.archived,
        collaborators: list(await read(`repos/${repo}/collaborators.json`, false), `repos/${repo}/collaborators.json`),
        teams: list(await read(`repos/${repo}/teams.json`, false), `repos/${repo}/teams.json`),
      };
    }),
  );
  return {
    org: (await read("org.json", true)) as GitHubExport["org"],
    members: list(await read("members.json", true), "members.json") as GitHubExport["members"],
    admins: list(await read("admins.json", false), "admins.json") as GitHubExport["admins"],
    outsideCollaborators: list(await read("outside_collaborators.json", false), "outside_collaborators.json") as GitHubExport["outsideCollaborators"],
    teams: teams as GitHubExport["teams"],
    repos: repos as GitHubExport["repos"],
  };
}
