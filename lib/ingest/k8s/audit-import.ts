import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { identities, systems } from "@/db/schema";
import { requireRole, type Caller } from "@/lib/caller";
import { ValidationError, parseInput } from "@/lib/errors";
import { parseJsonLines } from "@/lib/usage/files";
import { importUsage, importUsageBody, type UsageImportSummary } from "@/lib/usage/import";
import type { PrincipalIndex, UsageSource } from "@/lib/usage/source";
import { classifyAuditEvent, readK8sAudit } from "./audit";
import { clusterName } from "./rbac-import";

export const K8S_AUDIT_SOURCE = "k8s-audit";

/** The cluster's identities by username (service accounts), and people by email and by name: users of the cluster, named as its authenticator names them. */
async function principalIndex(db: Db, cluster: string): Promise<PrincipalIndex> {
  const [system] = await db
    .select({ id: systems.id })
    .from(systems)
    .where(and(eq(systems.kind, "kubernetes"), eq(systems.externalId, cluster)));
  if (!system) throw new ValidationError({ cluster: [`No Kubernetes cluster ${cluster} in the inventory: import its RBAC first.`] });
  const [own, people] = await Promise.all([
    db
      .select({ id: identities.id, externalId: identities.externalId })
      .from(identities)
      .where(and(eq(identities.systemId, system.id), sql`${identities.status} <> 'decommissioned'`)),
    db.select({ id: identities.id, email: identities.email, name: identities.name }).from(identities).where(eq(identities.kind, "human")),
  ]);
  const index: PrincipalIndex = { identities: new Map(), systems: new Map([[cluster, system.id]]) };
  // A person's uses of the cluster belong to the cluster's system, whatever system the person came from.
  for (const p of people) index.identities.set(p.name.toLowerCase(), { identityId: p.id, systemId: system.id });
  for (const p of people) if (p.email) index.identities.set(p.email.toLowerCase(), { identityId: p.id, systemId: system.id });
  for (const i of own) if (i.externalId) index.identities.set(i.externalId.toLowerCase(), { identityId: i.id, systemId: system.id });
  return index;
}

/** One cluster's API server audit log as a usage source (lib/usage/source.ts). */
export const k8sAuditSource = (cluster: string): UsageSource => ({
  tag: `${K8S_AUDIT_SOURCE}:${cluster}`,
  read: readK8sAudit,
  classify: classifyAuditEvent,
  principals: (db) => principalIndex(db, cluster),
});

/** Imports a cluster's audit log files through the shared usage pipeline. */
export async function importK8sAudit(
  db: Db,
  input: { cluster: unknown; paths: string[] },
  opts?: Parameters<typeof importUsage>[3],
): Promise<UsageImportSummary> {
  const { cluster } = parseInput(z.object({ cluster: clusterName }), { cluster: input.cluster });
  return importUsage(db, k8sAuditSource(cluster), input.paths, opts);
}

/**
 * Audit events sent over the API (POST /api/v1/imports/k8s-audit?cluster=…,
 * JSON lines as the log backend writes them), for an admin: the same import as
 * `gov import k8s-audit`, the body read as one file.
 */
export async function importK8sAuditBy(db: Db, caller: Caller, cluster: unknown, body: string): Promise<UsageImportSummary> {
  requireRole(caller, "admin");
  const name = parseInput(z.object({ cluster: clusterName }), { cluster }).cluster;
  return importUsageBody(db, k8sAuditSource(name), body, parseJsonLines);
}
