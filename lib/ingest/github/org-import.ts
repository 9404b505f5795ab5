import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type Actor, auditedTransaction, recordAudit, SYSTEM_ACTOR } from "@/lib/audit/record";
import { actorOf, requireRole, type Caller } from "@/lib/caller";
import { assertSafeInput } from "@/lib/errors";
import { requestReconciliation } from "@/lib/findings/refresh";
import { orgOwnerStatements, repoRoleLevel, repoRoleStatements, type RepoRole } from "@/lib/permissions/github/model";
import { importedSystem, syncEntitlements, syncGrants, syncIdentities, type Counts, type DesiredEntitlement, type DesiredIdentity } from "../inventory";
import { parseGitHubExport } from "./org";

export const GITHUB_SOURCE = "github";

export type GitHubImportSummary = {
  org: string;
  systemId: string;
  systemCreated: boolean;
  accounts: Counts;
  entitlements: Counts;
  grants: { added: number; kept: number; removed: number };
  warnings: string[];
};

const ORG_OWNER = "org:owner";
const ORG_MEMBER = "org:member";
const repoRef = (repo: string, role: RepoRole) => `repo:${repo}:${role}`;

/**
 * Imports a GitHub organisation: its accounts become identities (bots as
 * bots, outside collaborators marked), owners and members hold the
 * organisation's entitlements, and each repository role a collaborator holds,
 * directly or through a team, is an entitlement (`<repo> (admin)`) with an
 * imported grant. Re-importing changes only what changed; what left the
 * organisation is retired, decommissioned or revoked. One transaction, audited.
 */
export async function importGitHub(db: Db, input: { export: unknown; actor?: Actor }): Promise<GitHubImportSummary> {
  assertSafeInput(input.export, "export");
  const inv = parseGitHubExport(input.export);
  const actor = input.actor ?? { ...SYSTEM_ACTOR, label: `import: ${GITHUB_SOURCE}` };
  const desired = new Map<string, DesiredEntitlement>([
    [
      ORG_OWNER,
      {
        ref: ORG_OWNER,
        name: "Organisation owner",
        description: `Owner of the GitHub organisation ${inv.org}: every repository's admin, the organisation's settings`,
        statements: orgOwnerStatements,
        level: "admin",
      },
    ],
    [
      ORG_MEMBER,
      { ref: ORG_MEMBER, name: "Organisation member", description: `Member of the GitHub organisation ${inv.org}`, statements: [], level: "standard" },
    ],
  ]);
  for (const g of inv.repoGrants) {
    const ref = repoRef(g.repo, g.role);
    if (!desired.has(ref))
      desired.set(ref, {
        ref,
        name: `${g.repo} (${g.role})`,
        description: `The ${g.role} role on ${inv.org}/${g.repo}`,
        statements: repoRoleStatements(g.repo, g.role),
        level: repoRoleLevel(g.role),
      });
  }
  const accounts: DesiredIdentity[] = [...inv.accounts.entries()].map(([key, a]) => ({
    externalId: key,
    kind: a.type === "Bot" ? "bot" : "human",
    name: a.login,
    displayName: a.login,
    purpose: null,
    ownerId: null,
    attributes: { source: GITHUB_SOURCE, githubId: a.id, outsideCollaborator: a.outside },
    createdAt: null,
  }));

  return auditedTransaction(db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7244012, hashtext(${inv.org}))`);
    const { system, created: systemCreated } = await importedSystem(tx, actor, {
      kind: "github",
      externalId: inv.org,
      name: `github-${inv.org}`,
      description: `GitHub organisation ${inv.org}`,
      source: GITHUB_SOURCE,
    });
    const now = new Date();
    const ents = await syncEntitlements(tx, actor, system.id, desired.values(), GITHUB_SOURCE, now);
    const ids = await syncIdentities(tx, actor, system.id, accounts, { source: GITHUB_SOURCE, goneReason: "No longer in the organisation", at: now });
    const held = (login: string, ref: string) => ({ identityId: ids.idOf.get(login)!, entitlementId: ents.idByRef.get(ref)! });
    const grants = await syncGrants(
      tx,
      actor,
      system.id,
      [
        ...[...inv.owners].map((l) => held(l, ORG_OWNER)),
        ...[...inv.members].map((l) => held(l, ORG_MEMBER)),
        ...inv.repoGrants.map((g) => held(g.login, repoRef(g.repo, g.role))),
      ],
      {
        source: GITHUB_SOURCE,
        ref: `${GITHUB_SOURCE}:${inv.org}`,
        reason: `Held in the GitHub organisation ${inv.org} at import`,
        endReason: "No longer held in the GitHub organisation (import)",
        at: now,
      },
    );
    const summary: GitHubImportSummary = {
      org: inv.org,
      systemId: system.id,
      systemCreated,
      accounts: ids.summary,
      entitlements: ents.summary,
      grants,
      warnings: inv.warnings,
    };
    await requestReconciliation(tx);
    await recordAudit(tx, actor, {
      action: "import.github",
      entityType: "system",
      entityId: system.id,
      after: { org: inv.org, accounts: ids.summary, entitlements: ents.summary, grants, warnings: inv.warnings.length, source: GITHUB_SOURCE },
    });
    return summary;
  });
}

/** The import through the API (POST /api/v1/imports/github), for an admin: the same import as `gov import github`, audited as the admin. */
export async function importGitHubBy(db: Db, caller: Caller, raw: unknown): Promise<GitHubImportSummary> {
  requireRole(caller, "admin");
  return importGitHub(db, { export: raw, actor: actorOf(caller) });
}
