import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { identities } from "@/db/schema";
import { type Actor, auditedTransaction, recordAudit, SYSTEM_ACTOR } from "@/lib/audit/record";
import { actorOf, requireRole, type Caller } from "@/lib/caller";
import { assertSafeInput, parseInput } from "@/lib/errors";
import { requestEscalationAnalysis } from "@/lib/escalation/queue";
import { requestReconciliation } from "@/lib/findings/refresh";
import { k8sPrivilegeLevel, ruleStatement } from "@/lib/permissions/k8s/model";
import { serviceAccountUser } from "@/lib/permissions/k8s/users";
import { importedSystem, syncEntitlements, syncGrants, syncIdentities, type DesiredEntitlement, type DesiredIdentity } from "../inventory";
import { parseK8sRbac, roleKey, type K8sRole, type K8sSubject } from "./rbac";

export const K8S_RBAC_SOURCE = "k8s-rbac";

export type K8sRbacImportSummary = {
  cluster: string;
  systemId: string;
  systemCreated: boolean;
  serviceAccounts: { created: number; updated: number; unchanged: number; removed: number };
  entitlements: { created: number; updated: number; unchanged: number; removed: number };
  grants: { added: number; kept: number; removed: number };
  /** Items of kinds the import does not read, by kind. */
  skipped: Record<string, number>;
  warnings: string[];
};

export const clusterName = z
  .string({ message: "Name the cluster." })
  .trim()
  .min(1, "Name the cluster.")
  .max(100, "A cluster name is at most 100 characters.")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "A cluster name is letters, digits, dots, dashes and underscores.");

function desiredEntitlement(role: K8sRole, scope: string | null, ref: string): DesiredEntitlement {
  const statements = role.rules.map((r) => ruleStatement(r, scope));
  const name = role.kind === "Role" ? `${role.namespace}/${role.name}` : scope ? `${role.name} (in ${scope})` : role.name;
  const where = role.kind === "Role" ? `in namespace ${role.namespace}` : scope ? `bound in namespace ${scope}` : "cluster-wide";
  return { ref, name, description: `Kubernetes ${role.kind} ${role.name}, ${where}`, statements, level: k8sPrivilegeLevel(statements) };
}

/**
 * Imports one cluster's RBAC: service accounts become NHIs (owner from the
 * `access-governance/owner` or `owner` annotation, matched to an active
 * person by email), roles and cluster roles become entitlements holding their
 * rules as statements (a cluster role bound in a namespace is its own
 * entitlement, scoped there), and each binding's subjects get grants with
 * provenance "imported": service accounts, people named as users (by email or
 * name), and the service-account groups (`system:serviceaccounts[:ns]`).
 * Groups from an identity provider are reported, not expanded. Re-importing
 * changes only what changed; what left the cluster is retired and its grants
 * end. One transaction, audited.
 */
export async function importK8sRbac(db: Db, input: { cluster: unknown; documents: unknown[]; actor?: Actor }): Promise<K8sRbacImportSummary> {
  const cluster = parseInput(z.object({ cluster: clusterName }), { cluster: input.cluster }).cluster;
  input.documents.forEach((d, i) => assertSafeInput(d, input.documents.length > 1 ? `list ${i + 1}` : "list"));
  const inv = parseK8sRbac(input.documents);
  const actor = input.actor ?? { ...SYSTEM_ACTOR, label: `import: ${K8S_RBAC_SOURCE}` };
  const warnings = [...inv.warnings];

  const desired = new Map<string, DesiredEntitlement>();
  for (const [key, role] of inv.roles) desired.set(key, desiredEntitlement(role, role.kind === "Role" ? role.namespace : null, key));
  // The entitlement a binding grants: a cluster role bound in a namespace is that role, there only.
  const refOfBinding = (b: (typeof inv.bindings)[number]): string | null => {
    if (b.kind === "ClusterRoleBinding" && b.roleRef.kind === "Role") return null;
    const key = roleKey(b.roleRef.kind, b.namespace, b.roleRef.name);
    const role = inv.roles.get(key);
    if (!role) return null;
    if (b.kind === "RoleBinding" && role.kind === "ClusterRole") {
      const scoped = `${key}@${b.namespace}`;
      if (!desired.has(scoped)) desired.set(scoped, desiredEntitlement(role, b.namespace, scoped));
      return scoped;
    }
    return key;
  };
  const bindingRefs = inv.bindings.map(refOfBinding);

  return auditedTransaction(db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7244011, hashtext(${cluster}))`);
    const { system, created: systemCreated } = await importedSystem(tx, actor, {
      kind: "kubernetes",
      externalId: cluster,
      name: `k8s-${cluster}`,
      description: `Kubernetes cluster ${cluster}, imported from its RBAC`,
      source: K8S_RBAC_SOURCE,
    });
    const now = new Date();
    const { idByRef: entIdByRef, summary: entitlementCounts } = await syncEntitlements(tx, actor, system.id, desired.values(), K8S_RBAC_SOURCE, now);

    // Service accounts, by the username the API server gives them; owners by the email an annotation names.
    const ownerEmails = [...new Set(inv.serviceAccounts.map((s) => s.owner).filter((o): o is string => !!o))];
    const owners = new Map(
      ownerEmails.length
        ? (
            await tx
              .select({ id: identities.id, email: identities.email })
              .from(identities)
              .where(and(eq(identities.kind, "human"), eq(identities.status, "active"), inArray(sql`lower(${identities.email})`, ownerEmails)))
          ).map((r) => [r.email!.toLowerCase(), r.id])
        : [],
    );
    const wantedAccounts: DesiredIdentity[] = inv.serviceAccounts.map((sa) => {
      const user = serviceAccountUser(sa.namespace, sa.name);
      const ownerId = sa.owner ? (owners.get(sa.owner) ?? null) : null;
      if (sa.owner && !ownerId) warnings.push(`${user}: owner annotation ${sa.owner} matches no active person.`);
      return {
        externalId: user,
        kind: "service_account",
        name: `${sa.namespace}/${sa.name}`,
        displayName: sa.name,
        purpose: sa.purpose,
        ownerId,
        attributes: { source: K8S_RBAC_SOURCE, namespace: sa.namespace, uid: sa.uid },
        createdAt: sa.createdAt,
      };
    });
    const { idOf: saId, summary: accountCounts } = await syncIdentities(tx, actor, system.id, wantedAccounts, {
      source: K8S_RBAC_SOURCE,
      goneReason: "No longer in the cluster",
      at: now,
    });

    // People named as users in bindings: by email, else by their name.
    const userNames = [...new Set(inv.bindings.flatMap((b) => b.subjects.filter((s) => s.kind === "User").map((s) => s.name.toLowerCase())))];
    const people = userNames.length
      ? await tx
          .select({ id: identities.id, email: identities.email, name: identities.name })
          .from(identities)
          .where(
            and(
              // People only: an AWS IAM user or a GitHub account is a human of its own system, named by its login.
              eq(identities.kind, "human"),
              isNull(identities.systemId),
              eq(identities.status, "active"),
              sql`(lower(${identities.email}) in ${userNames} or lower(${identities.name}) in ${userNames})`,
            ),
          )
      : [];
    const personOf = new Map<string, string>();
    for (const p of people) personOf.set(p.name.toLowerCase(), p.id);
    for (const p of people) if (p.email) personOf.set(p.email.toLowerCase(), p.id);
    const unmatched = new Set<string>();
    const holders = (s: K8sSubject, bindingNamespace: string | null): string[] => {
      if (s.kind === "ServiceAccount") {
        const id = saId.get(serviceAccountUser(s.namespace ?? bindingNamespace ?? "default", s.name));
        if (!id) unmatched.add(`service account ${s.namespace ?? bindingNamespace}/${s.name} (not in the export)`);
        return id ? [id] : [];
      }
      if (s.kind === "User") {
        const id = personOf.get(s.name.toLowerCase());
        if (!id) unmatched.add(`user ${s.name} (no active person by that email or name)`);
        return id ? [id] : [];
      }
      if (s.name === "system:serviceaccounts") return inv.serviceAccounts.map((a) => saId.get(serviceAccountUser(a.namespace, a.name))!);
      if (s.name.startsWith("system:serviceaccounts:")) {
        const ns = s.name.slice("system:serviceaccounts:".length);
        return inv.serviceAccounts.filter((a) => a.namespace === ns).map((a) => saId.get(serviceAccountUser(a.namespace, a.name))!);
      }
      unmatched.add(`group ${s.name} (its members are the identity provider's)`);
      return [];
    };

    // Grants: what each subject holds now, against what the last import left live.
    const wanted: { identityId: string; entitlementId: string; startsAt?: Date }[] = [];
    inv.bindings.forEach((b, i) => {
      const ref = bindingRefs[i];
      const entitlementId = ref ? entIdByRef.get(ref) : undefined;
      if (!entitlementId) return;
      // Held since the binding was made: access older than the review window can be judged unused at once.
      for (const s of b.subjects)
        for (const identityId of holders(s, b.namespace)) wanted.push({ identityId, entitlementId, startsAt: b.createdAt ?? undefined });
    });
    for (const u of [...unmatched].sort()) warnings.push(`Bound but not granted: ${u}.`);
    const grantCounts = await syncGrants(tx, actor, system.id, wanted, {
      source: K8S_RBAC_SOURCE,
      ref: `${K8S_RBAC_SOURCE}:${cluster}`,
      reason: `Bound in cluster ${cluster} at import`,
      endReason: "No longer bound in the cluster (import)",
      at: now,
    });
    const summary: K8sRbacImportSummary = {
      cluster,
      systemId: system.id,
      systemCreated,
      serviceAccounts: accountCounts,
      entitlements: entitlementCounts,
      grants: grantCounts,
      skipped: inv.skipped,
      warnings,
    };
    // Findings follow the new inventory within seconds.
    await requestReconciliation(tx);
    // Who can become cluster-admin, and how, follows the bindings.
    await requestEscalationAnalysis(tx);
    await recordAudit(tx, actor, {
      action: "import.k8s_rbac",
      entityType: "system",
      entityId: system.id,
      after: {
        cluster,
        serviceAccounts: summary.serviceAccounts,
        entitlements: summary.entitlements,
        grants: summary.grants,
        warnings: warnings.length,
        source: K8S_RBAC_SOURCE,
      },
    });
    return summary;
  });
}

const importRequest = z
  .object({
    cluster: clusterName,
    lists: z
      .array(z.unknown(), {
        message: "Send the JSON of `kubectl get serviceaccounts,roles,clusterroles,rolebindings,clusterrolebindings -A -o json` as lists: [List, …].",
      })
      .min(1, "Send at least one List.")
      .max(100, "At most 100 lists at once."),
  })
  .strict();

/** The import through the API (POST /api/v1/imports/k8s-rbac), for an admin: the same import as `gov import k8s-rbac`, audited as the admin. */
export async function importK8sRbacBy(db: Db, caller: Caller, raw: unknown): Promise<K8sRbacImportSummary> {
  requireRole(caller, "admin");
  const input = parseInput(importRequest, raw);
  return importK8sRbac(db, { cluster: input.cluster, documents: input.lists, actor: actorOf(caller) });
}
