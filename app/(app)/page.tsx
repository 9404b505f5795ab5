import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { INVENTORY_READERS, hasRole } from "@/lib/caller";
import { inventorySummary } from "@/lib/dashboard/summary";
import { listSystems } from "@/lib/identities/list";
import { riskDashboard } from "@/lib/reconciliation/dashboard";
import { FINDING_READERS } from "@/lib/reconciliation/findings";
import { ActivitySection } from "@/components/dashboard/activity-section";
import { AfterApprovalList } from "@/components/dashboard/after-approval";
import { BreakdownSection } from "@/components/dashboard/breakdown-section";
import { EmptyDashboard } from "@/components/dashboard/empty-dashboard";
import { PrivilegeSection } from "@/components/dashboard/privilege-section";
import { ReachSection } from "@/components/dashboard/reach-section";
import { RiskTiles } from "@/components/dashboard/risk-tiles";
import { dashboardView, fmt } from "@/components/dashboard/view";
import { Welcome } from "@/components/dashboard/welcome";
import { RunReconciliationButton } from "@/components/reconciliation/run-button";
import { formatDateTime, relative } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";

export const metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const caller = await requireCaller();
  if (!hasRole(caller, ...INVENTORY_READERS)) return <Welcome name={caller.name} identityId={caller.identityId} />;
  const db = await getDb();
  const admin = hasRole(caller, "admin");
  // Reviewers and approvers read the dashboard but not the findings behind it.
  const readsFindings = hasRole(caller, ...FINDING_READERS);
  // Systems name the findings-by-system links, which only finding readers get.
  const [d, systems] = await Promise.all([riskDashboard(db, caller), readsFindings ? listSystems(db) : []]);

  if (!d.asOf) {
    const s = await inventorySummary(db, caller);
    return (
      <>
        <PageHeader
          title="Risk dashboard"
          description="Approved versus used privilege, standing privilege, orphans and overdue reviews, from the reconciliation."
        />
        <EmptyDashboard s={s} admin={admin} />
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
      <RiskTiles v={v} />
      <ReachSection v={v} />
      <PrivilegeSection v={v} />
      <ActivitySection v={v} />
      <BreakdownSection v={v} />
      <AfterApprovalList v={v} />
    </>
  );
}
