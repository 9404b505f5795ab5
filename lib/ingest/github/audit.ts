// A GitHub organisation's audit log, as its export writes it (a JSON array, or JSON lines from the streaming or
// NDJSON export), → who used which repository role, when. Actions: https://docs.github.com/en/organizations/keeping-your-organization-secure/managing-security-settings-for-your-organization/audit-log-events-for-your-organization
import { createHash } from "node:crypto";
import { GIT_EVENTS, ORG_OWNER_ACTION, repoAction, type RepoRole } from "@/lib/permissions/github/model";
import { parseJsonLines, readLogFiles, type UnreadableLine } from "@/lib/usage/files";
import type { SourceFile, SourceSkip, SourceUse } from "@/lib/usage/source";

export const readGitHubAudit = (paths: string[]): AsyncGenerator<SourceFile<unknown>> =>
  readLogFiles(paths, {
    accept: (n) => /\.(json|jsonl|ndjson)(\.gz)?$/i.test(n),
    parse: (text) => {
      const t = text.trimStart();
      if (!t.startsWith("[")) return parseJsonLines(text);
      const all: unknown = JSON.parse(t);
      if (!Array.isArray(all)) throw new Error("expected a JSON array of audit log entries");
      return all as unknown[];
    },
  });

/** The least repository role each repository action needs (the rest of the log is organisation administration). */
const REPO_ROLE: Readonly<Record<string, RepoRole>> = {
  "git.clone": "read",
  "git.fetch": "read",
  "git.push": "write",
};
const ADMIN_PREFIXES = [
  "repo.",
  "protected_branch.",
  "hook.",
  "repository_ruleset.",
  "repository_vulnerability_alerts.",
  "repository_secret_scanning",
  "environment.",
];
/** Organisation administration: only owners may. */
const OWNER_PREFIXES = ["org.", "team.", "members_can_", "org_credential_authorization.", "oauth_application.", "integration_installation.", "business."];
// Created by members (when the organisation lets them) or on their own account: no role of theirs is exercised.
const NOT_A_ROLE = new Set(["repo.create"]);

type Obj = Record<string, unknown>;

/**
 * One audit log entry: the role its action needs, on its repository, by its
 * actor. Entries by GitHub itself or without an actor are nobody's; actions
 * the table does not know are skipped and counted by name.
 */
export function classifyGitHubEntry(record: unknown, org: string): SourceUse | SourceSkip {
  if ((record as UnreadableLine | null)?.unreadableLine) return { skip: "unreadable line" };
  if (!record || typeof record !== "object" || Array.isArray(record)) return { skip: "malformed" };
  const e = record as Obj;
  const action = typeof e.action === "string" ? e.action : null;
  const actor = typeof e.actor === "string" && e.actor !== "" ? e.actor : null;
  const ms =
    typeof e["@timestamp"] === "number"
      ? e["@timestamp"]
      : typeof e.created_at === "number"
        ? e.created_at
        : typeof e.created_at === "string"
          ? Date.parse(e.created_at)
          : NaN;
  const at = new Date(ms);
  if (!action || action.length > 200 || Number.isNaN(at.getTime())) return { skip: "malformed" };
  if (!actor) return { skip: "no actor" };
  if (typeof e.org === "string" && e.org.toLowerCase() !== org.toLowerCase()) return { skip: "another organisation" };
  const repo = typeof e.repo === "string" ? e.repo.slice(e.repo.indexOf("/") + 1) : null;
  if (NOT_A_ROLE.has(action)) return { skip: "no role exercised" };
  let used: string | null = null;
  if (REPO_ROLE[action] && repo) used = repoAction(repo, REPO_ROLE[action]);
  else if (repo && ADMIN_PREFIXES.some((p) => action.startsWith(p))) used = repoAction(repo, "admin");
  else if (OWNER_PREFIXES.some((p) => action.startsWith(p))) used = ORG_OWNER_ACTION;
  if (!used) return { skip: "unmapped-event", detail: action };
  const id = typeof e._document_id === "string" && e._document_id ? e._document_id : createHash("sha256").update(JSON.stringify(e)).digest("base64url");
  return {
    eventId: id,
    principal: { key: actor.toLowerCase(), label: actor },
    action: used,
    outcome: "success",
    occurredAt: at,
    sessionId: null,
    // The log holds git events only where they are streamed: seen, a day without them is a day without reads.
    coverage: action.startsWith("git.") ? { service: GIT_EVENTS, system: org.toLowerCase(), complete: true } : undefined,
  };
}
