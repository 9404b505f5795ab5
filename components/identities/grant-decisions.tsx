import Link from "next/link";
import type { ProvenanceKind } from "@/db/schema";
import type { DecisionView } from "@/lib/grants/decisions";
import { formatDate } from "@/components/ui/format";

export const decisionLabels: Record<ProvenanceKind, string> = {
  campaign_decision: "Certified in campaign",
  jit_approval: "JIT approval",
  break_glass: "Break-glass",
  attestation: "Owner attestation",
  policy: "Eligibility policy",
  imported: "Imported",
  manual: "Manual",
  none: "Unapproved",
};

/**
 * Every decision behind a grant, oldest first: the policy that issued it, the
 * approval that opened it, each certification since. No decision: unapproved.
 */
export function GrantDecisions({ decisions }: { decisions: DecisionView[] }) {
  if (decisions.length === 0) return <span className="font-medium text-rose-700">{decisionLabels.none}</span>;
  return (
    <ol className="space-y-0.5" data-testid="grant-decisions">
      {decisions.map((d, i) => (
        <li key={i} title={d.reason ?? undefined}>
          {(d.kind === "jit_approval" || d.kind === "break_glass") && d.ref ? (
            <Link className="text-brand-700 hover:underline" href={`/access-requests/${d.ref}`}>
              {decisionLabels[d.kind]}
            </Link>
          ) : (
            decisionLabels[d.kind]
          )}
          <span className="text-slate-500">
            {d.decidedBy && ` by ${d.decidedBy}`}, {formatDate(d.decidedAt)}
            {d.validUntil && ` · until ${formatDate(d.validUntil)}`}
          </span>
        </li>
      ))}
    </ol>
  );
}
