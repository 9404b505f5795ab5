import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { findingsHref, severityTone } from "@/components/reconciliation/labels";
import { formatDate, relative } from "@/components/ui/format";
import { fmt, type DashboardView } from "./view";

/** Privilege still active after its approval ended, finding by finding. */
export function AfterApprovalList({ v }: { v: DashboardView }) {
  const { d, f, readsFindings } = v;
  return (
    <Card title={`Privilege still active after its approval ended (${fmt(f("activeAfterApproval"))})`} className="mt-6">
      {d.afterApproval.length === 0 ? (
        <p className="text-sm text-slate-600">None: every active grant is inside its approval.</p>
      ) : (
        <>
          <ul className="divide-y divide-slate-100 text-sm" data-testid="after-approval">
            {d.afterApproval.map((a) => {
              const details = a.details as { approvalExpiresAt?: string; provenance?: string };
              return (
                <li key={a.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                  <span className="flex min-w-0 items-center gap-2">
                    <Badge tone={severityTone[a.severity]}>{a.severity}</Badge>
                    <Link href={`/identities/${a.identityId}`} className="font-medium text-brand-700 hover:underline">
                      {a.identityName}
                    </Link>
                    <span className="truncate text-slate-700">{a.title}</span>
                  </span>
                  <span className="text-xs text-slate-500">
                    {details.approvalExpiresAt
                      ? `approval ended ${formatDate(details.approvalExpiresAt)} (${relative(details.approvalExpiresAt)})`
                      : "approval ended"}
                    {details.provenance && ` · ${details.provenance.replace("_", " ")}`}
                  </span>
                </li>
              );
            })}
          </ul>
          {readsFindings && f("activeAfterApproval") > d.afterApproval.length && (
            <Link href={findingsHref({ kind: "active_after_approval" })} className="mt-2 inline-block text-sm text-brand-700 hover:underline">
              All {fmt(f("findings.kind.active_after_approval"))} findings →
            </Link>
          )}
        </>
      )}
    </Card>
  );
}
