import Link from "next/link";
import { Card } from "@/components/ui/card";
import { JitActivityChart, StandingTrendChart } from "@/components/dashboard/trend-charts";
import { findingKindLabels } from "@/components/reconciliation/labels";
import { formatMinutes } from "@/components/ui/format";
import type { FindingKind } from "@/db/schema";
import { fmt, type DashboardView } from "./view";

/** Standing privilege, just-in-time activity and open findings by kind. */
export function ActivitySection({ v }: { v: DashboardView }) {
  const { d, findings } = v;
  return (
    <div className="mt-6 grid gap-6 lg:grid-cols-2 xl:grid-cols-3">
      <Card title="Standing privileged grants">
        <StandingTrendChart data={d.trend.map((t) => ({ day: t.day, standing: t.standingPrivileged ?? 0, unapproved: t.unapprovedActive ?? 0 }))} />
      </Card>
      <Card title="Just-in-time activity">
        <JitActivityChart data={d.trend.map((t) => ({ day: t.day, requests: t.jitRequests ?? 0, breakGlass: t.breakGlass ?? 0 }))} />
        <p className="mt-2 text-xs text-slate-500">Last 30 days: requests, approvals, break-glass activations and the median approved window.</p>
        <dl className="mt-1 grid grid-cols-4 gap-2 text-center" data-testid="jit-30d">
          <JitFigure label="Requests" value={fmt(d.jit30d.requests)} />
          <JitFigure label="Approved" value={fmt(d.jit30d.approved)} />
          <JitFigure label="Break-glass" value={fmt(d.jit30d.breakGlass)} warn={d.jit30d.breakGlass > 0} />
          <JitFigure label="Median" value={d.jit30d.medianMinutes ? formatMinutes(Math.round(d.jit30d.medianMinutes)) : "—"} />
        </dl>
      </Card>
      <Card title="Open findings by kind" className="lg:col-span-2 xl:col-span-1">
        {d.findingsByKind.length === 0 ? (
          <p className="text-sm text-slate-600">No open findings.</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm" data-testid="findings-by-kind">
            {d.findingsByKind.map((k) => {
              const href = findings({ kind: k.key });
              // Snapshot keys are strings: a kind from an older snapshot may have no label.
              const label = findingKindLabels[k.key as FindingKind] ?? k.key;
              return (
                <li key={k.key} className="flex items-center justify-between gap-3 py-1.5">
                  {href ? (
                    <Link href={href} className="text-brand-700 hover:underline">
                      {label}
                    </Link>
                  ) : (
                    <span>{label}</span>
                  )}
                  <span className="font-medium tabular-nums">{fmt(k.count)}</span>
                </li>
              );
            })}
          </ul>
        )}
      </Card>
    </div>
  );
}

function JitFigure({ label, value, warn }: { label: string; value: string; warn?: boolean }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className={`text-sm font-semibold tabular-nums ${warn ? "text-rose-700" : ""}`}>{value}</dd>
    </div>
  );
}
