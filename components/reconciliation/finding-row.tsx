import Link from "next/link";
import type { FindingKind, ProvenanceKind } from "@/db/schema";
import type { PermissionStatement } from "@/db/schema/access";
import type { FindingRow } from "@/lib/reconciliation/findings";
import { EscalationPath, TrustStatement } from "@/components/escalation/path-steps";
import { decisionLabels } from "@/components/identities/grant-decisions";
import { Badge } from "@/components/ui/badge";
import { formatDate, formatDateTime, kindLabels, relative } from "@/components/ui/format";
import { findingKindLabels, levelTone, severityTone } from "./labels";

/** What decision backs the grant, in the words the identity page uses ("backed by: JIT approval"), never the raw enum. */
const backing = (provenance: string): React.ReactNode =>
  provenance === "none" ? <span className="text-amber-700">never approved</span> : `backed by: ${decisionLabels[provenance as ProvenanceKind] ?? provenance}`;

type Details = {
  lastUsedAt?: string | null;
  lastDeniedAt?: string | null;
  grantType?: string;
  provenance?: string;
  windowDays?: number;
  approvalExpiresAt?: string;
  uses?: number;
  denied?: number;
  leftAt?: string;
  status?: string;
  ownerStatus?: string | null;
  ownerId?: string | null;
  type?: string;
  issuedAt?: string;
  lastRotatedAt?: string | null;
  expiresAt?: string | null;
  actions?: { action: string; success?: number; denied?: number }[] | string[];
  total?: number;
  reviewCampaignId?: string;
  // dormant_admin
  adminRoles?: number;
  entitlements?: string[];
  // escalation_to_admin
  conditional?: boolean;
  longLivedKeys?: boolean;
  // open_trust_policy
  roleArn?: string;
  statement?: number;
  sid?: string | null;
  conditions?: string[];
  trust?: PermissionStatement | null;
};

const disclosure = "mt-1 text-xs text-slate-600 [&_summary]:cursor-pointer [&_summary]:text-brand-700 [&_summary]:hover:underline";

/** The escalation findings' evidence: the path step by step, or the trusting statement. */
function EscalationDetails({ r }: { r: FindingRow }) {
  const d = (r.details ?? {}) as Details;
  if (r.kind === "escalation_to_admin" && r.path?.length)
    return (
      <details className={disclosure} data-testid="finding-path">
        <summary>
          The path, step by step ({r.path.length} step{r.path.length === 1 ? "" : "s"}
          {d.conditional ? ", conditional" : ""}
          {d.longLivedKeys ? "; holds a long-lived key" : ""})
        </summary>
        <EscalationPath steps={r.path} />
      </details>
    );
  if (r.kind === "open_trust_policy" && d.statement != null)
    return (
      <details className={disclosure} data-testid="finding-trust">
        <summary>The trusting statement{d.sid ? ` (${d.sid})` : ""}</summary>
        <TrustStatement roleArn={d.roleArn} statement={d.statement} sid={d.sid} trust={d.trust} />
      </details>
    );
  return null;
}

/**
 * Each kind's evidence, in a few words, for the kinds that have some beyond
 * their title (only kinds of the registry in lib/findings/kinds.ts may have an
 * entry); the escalation kinds show their path or statement in
 * EscalationDetails instead.
 */
const evidenceOf: Partial<Record<FindingKind, (d: Details) => React.ReactNode[]>> = {
  approved_unused: (d) => usedOrNot(d),
  unapproved_grant: (d) => usedOrNot(d),
  dormant_admin: (d) => [
    Array.isArray(d.entitlements) && `${d.entitlements.slice(0, 4).join(", ")}${(d.adminRoles ?? 0) > 4 ? ` +${(d.adminRoles ?? 0) - 4} more` : ""}`,
    d.lastUsedAt ? `last used ${relative(d.lastUsedAt)}` : <span className="text-amber-700">never used</span>,
  ],
  active_after_approval: (d) => [
    d.approvalExpiresAt && `approval ended ${formatDate(d.approvalExpiresAt)} (${relative(d.approvalExpiresAt)})`,
    d.provenance && backing(d.provenance),
  ],
  used_without_approval: (d) => uses(d),
  used_after_offboarding: (d) => uses(d),
  denied_attempt: (d) => [d.denied != null && `${d.denied.toLocaleString("en")} refused`, d.lastDeniedAt && `last ${relative(d.lastDeniedAt)}`],
  orphaned_nhi: (d) => [d.ownerId ? `owner ${d.ownerStatus ?? "gone"}` : "no owner recorded"],
  stale_credential: (d) => [
    d.type?.replace("_", " "),
    d.lastRotatedAt ? `rotated ${formatDate(d.lastRotatedAt)}` : `issued ${formatDate(d.issuedAt)}, never rotated`,
    d.expiresAt && `expires ${formatDate(d.expiresAt)}`,
  ],
};

function usedOrNot(d: Details): React.ReactNode[] {
  return [
    d.lastUsedAt ? `last used ${relative(d.lastUsedAt)}` : <span className="text-amber-700">never used</span>,
    d.grantType,
    d.provenance && backing(d.provenance),
  ];
}

function uses(d: Details): React.ReactNode[] {
  return [
    d.uses != null && `${d.uses.toLocaleString("en")} uses`,
    d.lastUsedAt && `last ${relative(d.lastUsedAt)}`,
    d.leftAt && `left ${formatDate(d.leftAt)}`,
  ];
}

/** The evidence behind a finding, in one line. */
function Evidence({ r }: { r: FindingRow }) {
  const d = (r.details ?? {}) as Details;
  const bits: React.ReactNode[] = (evidenceOf[r.kind]?.(d) ?? []).filter((b) => b != null && b !== false && b !== "");
  if (Array.isArray(d.actions) && d.actions.length) {
    const names = d.actions.slice(0, 4).map((a) => (typeof a === "string" ? a : a.action));
    const more = (d.total ?? d.actions.length) - names.length;
    bits.push(
      <span className="font-mono">
        {names.join(", ")}
        {more > 0 && ` +${more} more`}
      </span>,
    );
  }
  if (bits.length === 0 && !d.reviewCampaignId) return null;
  return (
    <div className="mt-0.5 text-xs text-slate-500">
      {bits.map((b, i) => (
        <span key={i}>
          {i > 0 && " · "}
          {b}
        </span>
      ))}
      {d.reviewCampaignId && (
        <>
          {bits.length > 0 && " · "}
          <Link href={`/certifications/${d.reviewCampaignId}`} className="text-brand-700 hover:underline">
            in review
          </Link>
        </>
      )}
    </div>
  );
}

export function FindingTableRow({ r, selectable, selected, onToggle }: { r: FindingRow; selectable: boolean; selected: boolean; onToggle: () => void }) {
  return (
    <tr data-testid="finding-row" data-finding={r.id} className={selected ? "bg-brand-50/60" : ""}>
      {selectable && (
        <td className="px-3 py-2 align-top">
          {r.status === "open" && <input type="checkbox" aria-label={`Select ${r.identityName}: ${r.title}`} checked={selected} onChange={onToggle} />}
        </td>
      )}
      <td className="px-3 py-2 align-top">
        <Badge tone={severityTone[r.severity]}>{r.severity}</Badge>
      </td>
      <td className="min-w-64 max-w-md px-3 py-2 align-top">
        <div className="font-medium">{r.title}</div>
        <div className="text-xs text-slate-600">{findingKindLabels[r.kind] ?? r.kind}</div>
        <Evidence r={r} />
        <EscalationDetails r={r} />
      </td>
      <td className="px-3 py-2 align-top">
        <Link href={`/identities/${r.identityId}`} className="font-medium text-brand-700 hover:underline">
          {r.identityName}
        </Link>
        <div className="text-xs text-slate-500">{kindLabels[r.identityKind] ?? r.identityKind}</div>
      </td>
      <td className="px-3 py-2 align-top">
        {r.entitlementName ? (
          <>
            <span className="font-medium">{r.entitlementName}</span> {r.privilegeLevel && <Badge tone={levelTone[r.privilegeLevel]}>{r.privilegeLevel}</Badge>}
          </>
        ) : (
          <span className="text-slate-400">—</span>
        )}
        <div className="text-xs text-slate-500">{r.systemName ?? "no system"}</div>
      </td>
      <td className="whitespace-nowrap px-3 py-2 align-top text-xs text-slate-600">
        <div title={formatDateTime(r.firstSeenAt)}>first {relative(r.firstSeenAt)}</div>
        <div title={formatDateTime(r.lastSeenAt)}>last {relative(r.lastSeenAt)}</div>
      </td>
      <td className="max-w-56 px-3 py-2 align-top">
        <Badge tone={r.status === "open" ? "amber" : r.status === "accepted" ? "purple" : "green"}>{r.status}</Badge>
        {r.resolution && <div className="mt-1 text-xs text-slate-500">{r.resolution}</div>}
      </td>
    </tr>
  );
}
