import { sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { queryRows } from "@/db/rows";
import { grantIsActive, type PermissionStatement } from "@/db/schema";
import { SERVICE_ACCOUNT_PREFIX, serviceAccountOf } from "@/lib/permissions/k8s/users";
import { analyzeK8sCluster, strongestVerdict, type K8sPrincipal, type K8sVerdict } from "./k8s";

export type K8sSubject = K8sVerdict & { systemId: string; name: string; identityKind: string; inputs: string };

/**
 * Every Kubernetes principal's verdict: the service accounts of each imported
 * cluster (whether they hold anything or not: they are what others reach) and
 * the identities holding live grants on its roles. An identity in several
 * clusters keeps the verdict that says most, with that cluster as its system.
 */
export async function kubernetesVerdicts(tx: Tx): Promise<K8sSubject[]> {
  const rows = await queryRows<{
    id: string;
    name: string;
    kind: string;
    externalId: string | null;
    accountOf: string | null;
    cluster: string;
    policy: string | null;
    statements: PermissionStatement[] | null;
  }>(
    tx,
    sql`select i.id, i.name, i.kind::text as kind, i.external_id as "externalId", i.system_id as "accountOf", e.system_id as cluster, e.name as policy, e.permissions as statements
        from grants join entitlements e on e.id = grants.entitlement_id join systems s on s.id = e.system_id and s.kind = 'kubernetes'
        join identities i on i.id = grants.identity_id
        where i.status = 'active' and ${grantIsActive}
        union all
        select i.id, i.name, i.kind::text, i.external_id, i.system_id, i.system_id, null, null
        from identities i join systems s on s.id = i.system_id and s.kind = 'kubernetes'
        where i.status = 'active' and i.external_id like ${SERVICE_ACCOUNT_PREFIX + "%"}
        order by cluster, "externalId", id, policy`,
  );
  const clusters = new Map<string, Map<string, K8sPrincipal & { name: string; kind: string; inputs: unknown[] }>>();
  for (const r of rows) {
    const principals = clusters.get(r.cluster) ?? clusters.set(r.cluster, new Map()).get(r.cluster)!;
    let p = principals.get(r.id);
    if (!p) {
      // A service account is reached by its username; only the cluster's own ones are (a person's name is just a label).
      const account = r.accountOf === r.cluster && r.externalId ? serviceAccountOf(r.externalId) : null;
      p = { id: r.id, key: account ? r.externalId! : r.name, account, holdings: [], name: r.name, kind: r.kind, inputs: [] };
      principals.set(r.id, p);
    }
    if (r.policy !== null) {
      p.holdings.push({ policy: r.policy, statements: r.statements ?? [] });
      p.inputs.push([r.cluster, r.policy, r.statements]);
    }
  }
  const out = new Map<string, K8sSubject>();
  for (const [cluster, principals] of clusters) {
    const list = [...principals.values()];
    analyzeK8sCluster(list).forEach((v, i) => {
      const p = list[i];
      const subject = { ...v, systemId: cluster, name: p.name, identityKind: p.kind, inputs: JSON.stringify(p.inputs) };
      const seen = out.get(v.id);
      out.set(v.id, seen ? { ...strongestVerdict(seen, subject), inputs: seen.inputs + subject.inputs } : subject);
    });
  }
  return [...out.values()];
}
