import Link from "next/link";
import { RiskTile } from "@/components/dashboard/risk-tile";
import { findingsHref, severities, severityTone } from "@/components/reconciliation/labels";
import { Badge } from "@/components/ui/badge";
import { compact, fmt, type DashboardView } from "./view";

/** The headline figures, each with its change over 30 days and a link to what is behind it. */
export function RiskTiles({ v }: { v: DashboardView }) {
  const { f, delta, figure, unused, unusedOf, exposure, used, usedShare, findings, readsFindings } = v;
  return (
    <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4" data-testid="risk-tiles">
      <RiskTile
        testId="tile-standing"
        label="Standing privileged grants"
        {...figure("standingPrivileged")}
        href="/identities?standing=true"
        hint="Privileged or admin access that is always on"
      />
      <RiskTile
        testId="tile-unused"
        label="Privileged grants unused"
        value={Number.isNaN(unused) ? "—" : fmt(unused)}
        delta={Number.isNaN(unused) ? null : delta(unused, unusedOf)}
        href={findings({ kind: "approved_unused" })}
        hint={
          Number.isNaN(unused)
            ? `of ${fmt(f("privilegedApproved"))} approved; known once 30 days of usage are on record`
            : `of ${fmt(f("privilegedApproved"))} approved; no use in 30 days`
        }
      />
      <RiskTile
        testId="tile-after-approval"
        label="Active after approval ended"
        {...figure("activeAfterApproval")}
        href={findings({ kind: "active_after_approval" })}
        hint="Grants still usable though their approval expired"
      />
      <RiskTile testId="tile-findings" label="Open findings" {...figure("openFindings")} href={findings({})} hint="By severity:">
        <div className="flex flex-wrap gap-1.5">
          {severities.map((s) => {
            const badge = (
              <Badge tone={severityTone[s]}>
                {s} <span className="ml-1 tabular-nums">{fmt(f(`findings.severity.${s}`))}</span>
              </Badge>
            );
            return readsFindings ? (
              <Link key={s} href={findingsHref({ severity: s })} data-testid={`severity-${s}`} className="hover:opacity-80">
                {badge}
              </Link>
            ) : (
              <span key={s} data-testid={`severity-${s}`}>
                {badge}
              </span>
            );
          })}
        </div>
      </RiskTile>
      <RiskTile
        testId="tile-orphans"
        label="Orphaned NHIs"
        {...figure("orphans")}
        href={findings({ kind: "orphaned_nhi" }) ?? "/identities?orphaned=true"}
        hint="Owner missing, disabled or gone"
      />
      <RiskTile
        testId="tile-overdue-reviews"
        label="Overdue reviews"
        {...figure("overdueReviews")}
        href="/certifications"
        hint="Campaign items past their due date, undecided"
      />
      <RiskTile
        testId="tile-overdue-attestations"
        label="Overdue attestations"
        {...figure("overdueAttestations")}
        href={readsFindings ? "/attestations?scope=all&due=overdue" : "/attestations"}
        hint="NHIs whose owner has not confirmed them"
      />
      <RiskTile
        testId="tile-exposure"
        label="Privileged hours: granted vs used"
        value={
          <>
            {compact(exposure)} <span className="text-base font-normal text-slate-500">hours granted</span>
          </>
        }
        href={findings({ kind: "approved_unused" })}
        hint={`of which ${compact(used)} hours used (${usedShare < 1 && usedShare > 0 ? "<1" : Math.round(usedShare)}%), over the last 90 days`}
      >
        <div className="h-1.5 overflow-hidden rounded-full bg-slate-100" aria-hidden>
          <div className="h-full rounded-full bg-emerald-500" style={{ width: `${Math.max(usedShare, used > 0 ? 1 : 0)}%` }} />
        </div>
      </RiskTile>
    </div>
  );
}
