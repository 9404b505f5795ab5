import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { identities, systems } from "@/db/schema";
import { actorOf, requireRole, type Caller } from "@/lib/caller";
import { ValidationError, parseInput } from "@/lib/errors";
import { parseJsonLines } from "@/lib/usage/files";
import { importUsage, importUsageBody, type UsageImportSummary } from "@/lib/usage/import";
import { systemPrincipals } from "@/lib/usage/principals";
import type { PrincipalIndex, UsageSource } from "@/lib/usage/source";
import { classifyAuditEvent, readK8sAudit } from "./audit";
import { clusterName } from "./rbac-import";

const K8S_AUDIT_SOURCE = "k8s-audit";

/** The cluster's identities by username (service accounts), and people by email and by name: users of the cluster, named as its authenticator names them. */
async function principalIndex(db: Db, cluster: string): Promise<PrincipalIndex> {
  const [index, people] = await Promise.all([
    systemPrincipals(db, {
      where: and(eq(systems.kind, "kubernetes"), eq(systems.externalId, cluster))!,
      missing: new ValidationError({ cluster: [`No Kubernetes cluster ${cluster} in the inventory: import its RBAC first.`] }),
      name: cluster,
      keyOf: (i) => i.externalId?.toLowerCase() ?? null,
    }),
    // People only: an AWS IAM user or a GitHub account is a human of its own system, named by its login.
    db
      .select({ id: identities.id, email: identities.email, name: identities.name })
      .from(identities)
      .where(and(eq(identities.kind, "human"), isNull(identities.systemId))),
  ]);
  // A person's uses of the cluster belong to the cluster's system, whatever system the person came from;
  // the cluster's own identities keep a key they share with a person.
  const byKey: PrincipalIndex["identities"] = new Map();
  for (const p of people) byKey.set(p.name.toLowerCase(), { identityId: p.id, systemId: index.systemId });
  for (const p of people) if (p.email) byKey.set(p.email.toLowerCase(), { identityId: p.id, systemId: index.systemId });
  for (const [key, own] of index.identities) byKey.set(key, own);
  return { systems: index.systems, identities: byKey };
}

/** One cluster's API server audit log as a usage source (lib/usage/source.ts). */
const k8sAuditSource = (cluster: string): UsageSource => ({
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
  return importUsageBody(db, k8sAuditSource(name), body, parseJsonLines, actorOf(caller));
}
