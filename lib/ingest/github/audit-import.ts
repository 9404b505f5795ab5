import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { systems } from "@/db/schema";
import { actorOf, requireRole, type Caller } from "@/lib/caller";
import { ValidationError, parseInput } from "@/lib/errors";
import { importUsage, importUsageBody, type UsageImportSummary } from "@/lib/usage/import";
import { parseJsonLines } from "@/lib/usage/files";
import { systemPrincipals } from "@/lib/usage/principals";
import type { UsageSource } from "@/lib/usage/source";
import { classifyGitHubEntry, readGitHubAudit } from "./audit";

const GITHUB_AUDIT_SOURCE = "github-audit";
export const orgName = z
  .string({ message: "Name the organisation." })
  .trim()
  .min(1, "Name the organisation.")
  .max(100)
  .regex(/^[A-Za-z0-9-]+$/, "An organisation name is letters, digits and dashes.");

/** The organisation's accounts, by login as the audit log names them. */
const principalIndex = (db: Db, org: string) =>
  systemPrincipals(db, {
    where: and(eq(systems.kind, "github"), sql`lower(${systems.externalId}) = ${org.toLowerCase()}`)!,
    missing: new ValidationError({ org: [`No GitHub organisation ${org} in the inventory: import its members and repositories first.`] }),
    name: org.toLowerCase(),
    keyOf: (a) => a.externalId,
  });

const githubAuditSource = (org: string): UsageSource => ({
  tag: `${GITHUB_AUDIT_SOURCE}:${org.toLowerCase()}`,
  read: readGitHubAudit,
  classify: (record) => classifyGitHubEntry(record, org),
  principals: (db) => principalIndex(db, org),
});

/** Imports an organisation's audit log export files through the shared usage pipeline. */
export async function importGitHubAudit(
  db: Db,
  input: { org: unknown; paths: string[] },
  opts?: Parameters<typeof importUsage>[3],
): Promise<UsageImportSummary> {
  const { org } = parseInput(z.object({ org: orgName }), { org: input.org });
  return importUsage(db, githubAuditSource(org), input.paths, opts);
}

/** Audit log entries sent over the API (POST /api/v1/imports/github-audit?org=…, JSON lines), for an admin. */
export async function importGitHubAuditBy(db: Db, caller: Caller, org: unknown, body: string): Promise<UsageImportSummary> {
  requireRole(caller, "admin");
  const name = parseInput(z.object({ org: orgName }), { org }).org;
  return importUsageBody(db, githubAuditSource(name), body, parseJsonLines, actorOf(caller));
}
