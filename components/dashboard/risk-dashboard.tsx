import type { RiskDashboardData } from "@/lib/home/dashboard";
import { ActivitySection } from "@/components/dashboard/activity-section";
import { AfterApprovalList } from "@/components/dashboard/after-approval";
import { BreakdownSection } from "@/components/dashboard/breakdown-section";
import { EmptyDashboard } from "@/components/dashboard/empty-dashboard";
import { PrivilegeSection } from "@/components/dashboard/privilege-section";
import { ReachSection } from "@/components/dashboard/reach-section";
import { RiskTiles } from "@/components/dashboard/risk-tiles";
import { dashboardView, fmt } from "@/components/dashboard/view";
import { RunReconciliationButton } from "@/components/reconciliation/run-button";
import { formatDateTime, relative } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";

/**
 * The organisation-wide risk dashboard (for inventory readers: the caller is
 * checked by each query): approved versus used privilege, standing privilege,
 * orphans, overdue work, from the latest reconciliation. `lead` goes between
 * its header and its tiles (the home page's work for an admin or auditor).
 */
export function RiskDashboard({ data, lead }: { data: RiskDashboardData; lead?: React.ReactNode }) {
  const { d, systems, readsFindings, admin, summary } = data;
  if (!d.asOf) {
    return (
      <>
        <PageHeader
          title="Risk dashboard"
          description="Approved versus used privilege, standing privilege, orphans and overdue reviews, from the reconciliation."
        />
        {lead}
        <EmptyDashboard s={summary!} admin={admin} />
      </>
    );
  }

  const v = dashboardView({ ...d, asOf: d.asOf }, systems, readsFindings);
  return (
    <>
      <PageHeader
        title="Risk dashboard"
        description={`${fmt(v.total)} active identities, ${fmt(v.total - v.humans)} of them non-human (${v.humans ? Math.round((v.total - v.humans) / v.humans) : 0} per person).`}
        actions={
          <div className="flex items-end gap-4">
            <p className="text-right text-sm text-slate-600" data-testid="as-of">
              As of <time dateTime={new Date(d.asOf).toISOString()}>{formatDateTime(d.asOf)}</time>
              <span className="block text-xs text-slate-500">{relative(d.asOf)}; runs hourly</span>
            </p>
            {admin && <RunReconciliationButton />}
          </div>
        }
      />
      {lead}
      <RiskTiles v={v} />
      <ReachSection v={v} />
      <PrivilegeSection v={v} />
      <ActivitySection v={v} />
      <BreakdownSection v={v} />
      <AfterApprovalList v={v} />
    </>
  );
}
