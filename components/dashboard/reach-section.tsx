import { Card } from "@/components/ui/card";
import { dayTick } from "@/components/dashboard/chart-theme";
import { ReachAdminTrendChart } from "@/components/dashboard/trend-charts";
import { ReachAdminTile } from "@/components/dashboard/reach-admin";
import type { DashboardView } from "./view";

/** Who can reach administrator now, and over 90 days. */
export function ReachSection({ v }: { v: DashboardView }) {
  const { d, delta, reachOf, reachTrend, firstReachDay, readsFindings } = v;
  return (
    <div className="mt-6 grid gap-6 xl:grid-cols-3" data-testid="reach-admin">
      <ReachAdminTile reach={d.reachAdmin} delta={d.reachAdmin ? delta(d.reachAdmin.total, reachOf) : null} readsFindings={readsFindings} />
      <Card title="Can reach administrator, 90 days" className="xl:col-span-2">
        {firstReachDay ? (
          <>
            <ReachAdminTrendChart data={reachTrend} />
            <p className="mt-2 text-xs text-slate-500">
              Identities that hold administrator access or can escalate to it, as the escalation analysis found them each day.
              {firstReachDay !== reachTrend[0]?.day && ` Counted from ${dayTick(firstReachDay)}, the first day an analysis was on record.`}
            </p>
          </>
        ) : (
          <p className="text-sm text-slate-600" data-testid="reach-admin-trend-empty">
            No analysis on record yet: the trend starts with the first reconciliation pass after AWS identities have been analysed.
          </p>
        )}
      </Card>
    </div>
  );
}
