// Kubernetes RBAC as `kubectl get serviceaccounts,roles,clusterroles,rolebindings,clusterrolebindings -A -o json`
// prints it (a `List`; several files' lists are read as one): service accounts, roles and cluster roles with their
// rules (aggregated cluster roles take the rules of those their selectors match), and the bindings that grant them.
// Field names and semantics: https://kubernetes.io/docs/reference/access-authn-authz/rbac/
import { z } from "zod";
import { ValidationError } from "@/lib/errors";

export type K8sRule = { verbs: string[]; apiGroups: string[]; resources: string[]; resourceNames: string[]; nonResourceURLs: string[] };
export type K8sServiceAccount = { namespace: string; name: string; uid: string | null; owner: string | null; purpose: string | null; createdAt: Date | null };
export type K8sRole = { kind: "Role" | "ClusterRole"; namespace: string | null; name: string; rules: K8sRule[] };
export type K8sSubject = { kind: "User" | "Group" | "ServiceAccount"; name: string; namespace: string | null };
export type K8sBinding = {
  kind: "RoleBinding" | "ClusterRoleBinding";
  namespace: string | null;
  name: string;
  roleRef: { kind: "Role" | "ClusterRole"; name: string };
  subjects: K8sSubject[];
  /** When the binding was made: since when its subjects hold the role. */
  createdAt: Date | null;
};
export type K8sInventory = {
  serviceAccounts: K8sServiceAccount[];
  /** By `roleKey`. */
  roles: Map<string, K8sRole>;
  bindings: K8sBinding[];
  /** Items of other kinds, counted by kind. */
  skipped: Record<string, number>;
  warnings: string[];
};

export const roleKey = (kind: "Role" | "ClusterRole", namespace: string | null, name: string) =>
  kind === "Role" ? `role:${namespace}/${name}` : `clusterrole:${name}`;

const name = z.string().min(1, "is empty").max(253, "is longer than 253 characters");
const names = z.array(z.string().max(1000)).max(10_000).optional();
const metadata = z.object({
  name,
  namespace: name.optional(),
  uid: z.string().max(100).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  creationTimestamp: z.iso.datetime({ offset: true }).optional(),
});
const rule = z.object({
  verbs: z.array(z.string().min(1).max(100)).max(100),
  apiGroups: names,
  resources: names,
  resourceNames: names,
  nonResourceURLs: names,
});
const rules = z.array(rule).max(10_000).nullish();
const subject = z.object({ kind: z.enum(["User", "Group", "ServiceAccount"]), name, namespace: name.optional() });
const roleRef = z.object({ kind: z.enum(["Role", "ClusterRole"]), name });
const item = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("ServiceAccount"), metadata: metadata.extend({ namespace: name }) }),
  z.object({ kind: z.literal("Role"), metadata: metadata.extend({ namespace: name }), rules }),
  z.object({
    kind: z.literal("ClusterRole"),
    metadata,
    rules,
    aggregationRule: z.object({ clusterRoleSelectors: z.array(z.object({ matchLabels: z.record(z.string(), z.string()).optional() })).max(100) }).optional(),
  }),
  z.object({ kind: z.literal("RoleBinding"), metadata: metadata.extend({ namespace: name }), roleRef, subjects: z.array(subject).max(10_000).nullish() }),
  z.object({ kind: z.literal("ClusterRoleBinding"), metadata, roleRef, subjects: z.array(subject).max(10_000).nullish() }),
]);
const KNOWN = new Set(["ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]);

const OWNER_ANNOTATIONS = ["access-governance/owner", "owner"];
const PURPOSE_ANNOTATIONS = ["access-governance/purpose", "description", "kubernetes.io/description"];
const annotation = (a: Record<string, string> | undefined, keys: string[]) => keys.map((k) => a?.[k]?.trim()).find((v) => !!v) ?? null;

const toRule = (r: z.infer<typeof rule>): K8sRule => ({
  verbs: r.verbs,
  apiGroups: r.apiGroups ?? [],
  resources: r.resources ?? [],
  resourceNames: r.resourceNames ?? [],
  nonResourceURLs: r.nonResourceURLs ?? [],
});

/**
 * Reads one or more `List` documents. Every item of a known kind must be well
 * formed (a problem names the file's list, the item and the field, and nothing
 * is imported); items of other kinds are counted and skipped.
 */
export function parseK8sRbac(documents: unknown[]): K8sInventory {
  const inv: K8sInventory = { serviceAccounts: [], roles: new Map(), bindings: [], skipped: {}, warnings: [] };
  const aggregated: { role: K8sRole; selectors: Record<string, string>[] }[] = [];
  const labelsOf = new Map<string, Record<string, string>>();
  const problems: Record<string, string[]> = {};
  documents.forEach((doc, d) => {
    const where = documents.length > 1 ? `list ${d + 1}` : "list";
    const list = z.object({ kind: z.literal("List"), items: z.array(z.unknown()).max(1_000_000) }).safeParse(doc);
    if (!list.success) {
      problems[where] = [
        'Expected the JSON of `kubectl get serviceaccounts,roles,clusterroles,rolebindings,clusterrolebindings -A -o json` (kind "List" with items).',
      ];
      return;
    }
    list.data.items.forEach((raw, i) => {
      const kind = (raw as { kind?: unknown } | null)?.kind;
      if (typeof kind !== "string" || !KNOWN.has(kind)) {
        const k = typeof kind === "string" ? kind : "(no kind)";
        inv.skipped[k] = (inv.skipped[k] ?? 0) + 1;
        return;
      }
      const parsed = item.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        (problems[where] ??= []).push(`Item ${i + 1} (${kind}), ${issue.path.join(".") || "the item"}: ${issue.message}.`);
        return;
      }
      const it = parsed.data;
      const m = it.metadata;
      if (it.kind === "ServiceAccount") {
        inv.serviceAccounts.push({
          namespace: m.namespace!,
          name: m.name,
          uid: m.uid ?? null,
          owner: annotation(m.annotations, OWNER_ANNOTATIONS)?.toLowerCase() ?? null,
          purpose: annotation(m.annotations, PURPOSE_ANNOTATIONS),
          createdAt: m.creationTimestamp ? new Date(m.creationTimestamp) : null,
        });
      } else if (it.kind === "Role" || it.kind === "ClusterRole") {
        const role: K8sRole = { kind: it.kind, namespace: it.kind === "Role" ? m.namespace! : null, name: m.name, rules: (it.rules ?? []).map(toRule) };
        inv.roles.set(roleKey(role.kind, role.namespace, role.name), role);
        if (it.kind === "ClusterRole") {
          labelsOf.set(m.name, m.labels ?? {});
          if (it.aggregationRule) aggregated.push({ role, selectors: it.aggregationRule.clusterRoleSelectors.map((s) => s.matchLabels ?? {}) });
        }
      } else {
        inv.bindings.push({
          kind: it.kind,
          namespace: it.kind === "RoleBinding" ? m.namespace! : null,
          name: m.name,
          roleRef: it.roleRef,
          subjects: (it.subjects ?? []).map((s) => ({ kind: s.kind, name: s.name, namespace: s.namespace ?? null })),
          createdAt: m.creationTimestamp ? new Date(m.creationTimestamp) : null,
        });
      }
    });
  });
  if (Object.keys(problems).length) throw new ValidationError(problems);
  // An aggregated cluster role holds the rules of every cluster role its selectors match (as the controller would fill them in).
  for (const { role, selectors } of aggregated) {
    const seen = new Set(role.rules.map((r) => JSON.stringify(r)));
    for (const [other, labels] of labelsOf) {
      if (other === role.name || !selectors.some((sel) => Object.entries(sel).every(([k, v]) => labels[k] === v))) continue;
      for (const r of inv.roles.get(roleKey("ClusterRole", null, other))!.rules) {
        const key = JSON.stringify(r);
        if (seen.has(key)) continue;
        role.rules.push(r);
        seen.add(key);
      }
    }
  }
  for (const b of inv.bindings) {
    if (b.kind === "ClusterRoleBinding" && b.roleRef.kind === "Role")
      inv.warnings.push(`ClusterRoleBinding ${b.name} refers to a Role: Kubernetes ignores it.`);
    else if (!inv.roles.has(roleKey(b.roleRef.kind, b.namespace, b.roleRef.name)))
      inv.warnings.push(
        `${b.kind} ${b.namespace ? `${b.namespace}/` : ""}${b.name} refers to ${b.roleRef.kind} ${b.roleRef.name}, which the export does not hold.`,
      );
  }
  return inv;
}
