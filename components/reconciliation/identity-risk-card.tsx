import Link from "next/link";
import type { IdentityReconciliation } from "@/lib/reconciliation/identity-risk";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { relative } from "@/components/ui/format";
import { findingKindLabels, findingsHref, severityTone } from "./labels";

const hours = (n: number) => `${Math.round(n).toLocaleString("en")} h`;

function Figure({ label, children, hint }: { label: string; children: React.ReactNode; hint?: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-xl font-semibold tabular-nums">{children}</dd>
      {hint && <p className="text-xs text-slate-500">{hint}</p>}
    </div>
  );
}

/** The identity page's view of the reconciliation: creep, exposure and what is open about it. */
export function IdentityRiskCard({ identityId, data }: { identityId: string; data: IdentityReconciliation }) {
  const { risk, findings, reconciledAt } = data;
  const actionLink = (
    <Link href={`/reconciliation/identities?identityId=${identityId}`} className="text-sm text-brand-700 hover:underline">
      Action-level reconciliation →
    </Link>
  );
  return (
    <Card title="Reconciliation" className="mt-6">
      <div data-testid="identity-reconciliation">
        {!reconciledAt ? (
          <p className="text-sm text-slate-600">No reconciliation pass has run yet; it runs at start-up and every hour.</p>
        ) : risk ? (
          <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
            <Figure label="Creep score" hint="share of privileged grants unused in the window">
              <span className={risk.creepScore >= 50 ? "text-rose-700" : risk.creepScore > 0 ? "text-amber-700" : "text-emerald-700"}>{risk.creepScore}</span>
              <span className="text-sm font-normal text-slate-500"> / 100</span>
              <div className="mt-1 h-1.5 w-40 overflow-hidden rounded-full bg-slate-100" aria-hidden>
                <div className={`h-full rounded-full ${risk.creepScore >= 50 ? "bg-rose-500" : "bg-amber-500"}`} style={{ width: `${risk.creepScore}%` }} />
              </div>
            </Figure>
            <Figure label="Privileged grants unused" hint={`in the last ${risk.windowDays} days`}>
              {risk.unusedPrivileged} <span className="text-sm font-normal text-slate-500">of {risk.privilegedGrants}</span>
            </Figure>
            <Figure label="Exposure vs used hours" hint={`hours privileged access was open, and hours it was used, in ${risk.windowDays} days`}>
              {hours(risk.exposureHours)} <span className="text-sm font-normal text-slate-500">open · {hours(risk.usedHours)} used</span>
            </Figure>
            <Figure label="Unapproved · after approval" hint="active grants with no approval, or past it">
              <span className={risk.unapprovedPairs + risk.activeAfterApproval > 0 ? "text-rose-700" : ""}>
                {risk.unapprovedPairs} · {risk.activeAfterApproval}
              </span>
            </Figure>
          </dl>
        ) : (
          <p className="text-sm text-slate-600">No privileged access in the window: nothing to score.</p>
        )}
        {reconciledAt && (
          <p className="mt-2 text-xs text-slate-500" data-testid="reconciled-at">
            As of the reconciliation pass {relative(reconciledAt)}: access changed since then counts from the next pass (hourly, or after an action on a
            finding).
          </p>
        )}

        {findings && reconciledAt && (
          <div className="mt-4 border-t border-slate-100 pt-3">
            <h3 className="mb-1 text-sm font-semibold text-slate-700">Open findings ({findings.total})</h3>
            {findings.total === 0 ? (
              <p className="text-sm text-slate-600">None open.</p>
            ) : (
              <>
                <ul className="divide-y divide-slate-100 text-sm" data-testid="identity-findings">
                  {findings.top.map((f) => (
                    <li key={f.id} className="flex flex-wrap items-center justify-between gap-2 py-1.5">
                      <span className="flex min-w-0 items-center gap-2">
                        <Badge tone={severityTone[f.severity]}>{f.severity}</Badge>
                        <span>{f.title}</span>
                        <span className="text-xs text-slate-500">{findingKindLabels[f.kind] ?? f.kind}</span>
                      </span>
                      <span className="text-xs text-slate-500">seen {relative(f.lastSeenAt)}</span>
                    </li>
                  ))}
                </ul>
                <Link href={findingsHref({ identityId })} className="mt-1 inline-block text-sm text-brand-700 hover:underline">
                  {findings.total > findings.top.length ? `All ${findings.total} open findings →` : "Open findings in the list →"}
                </Link>
              </>
            )}
          </div>
        )}
        <div className="mt-3">{actionLink}</div>
      </div>
    </Card>
  );
}
