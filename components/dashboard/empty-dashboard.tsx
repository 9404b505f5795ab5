import type { inventorySummary } from "@/lib/dashboard/summary";
import { AutoRefresh } from "@/components/dashboard/auto-refresh";
import { KindChart } from "@/components/dashboard/kind-chart";
import { RiskTile } from "@/components/dashboard/risk-tile";
import { RunReconciliationButton } from "@/components/reconciliation/run-button";
import { Card, EmptyState } from "@/components/ui/card";
import { kindLabels } from "@/components/ui/format";
import { fmt } from "./view";

/** Before the first reconciliation: what it will show, and meanwhile the inventory's own figures. */
export function EmptyDashboard({ s, admin }: { s: Awaited<ReturnType<typeof inventorySummary>>; admin: boolean }) {
  return (
    <>
      <AutoRefresh seconds={10} />
      <EmptyState title="No reconciliation has run yet.">
        <p>
          Reconciliation compares every grant with what was actually used. It runs at start-up and every hour; this page fills in as soon as the first pass
          finishes.
        </p>
        {admin ? (
          <div className="mt-4 flex justify-center">
            <RunReconciliationButton align="center" />
          </div>
        ) : (
          <p className="mt-2">If nothing appears within a few minutes, ask an administrator to run it from Reconciliation.</p>
        )}
      </EmptyState>
      <p className="mb-3 mt-6 text-sm text-slate-600">Meanwhile, straight from the inventory:</p>
      <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
        <RiskTile testId="tile-orphans" label="Orphaned NHIs" value={fmt(s.orphans)} href="/identities?orphaned=true" hint="Owner missing, disabled or gone" />
        <RiskTile
          testId="tile-standing"
          label="Standing privileged grants"
          value={fmt(s.standingPrivileged)}
          href="/identities?standing=true"
          hint="Privileged or admin access that is always on"
        />
        <RiskTile testId="tile-unapproved" label="Unapproved active grants" value={fmt(s.unapproved)} hint="No governance decision behind them" />
        <RiskTile
          testId="tile-overdue-attestations"
          label="Overdue attestations"
          value={fmt(s.overdueAttestations)}
          href="/attestations"
          hint="NHIs whose owner has not confirmed them"
        />
      </div>
      <Card title="Active identities by kind" className="mt-6">
        <KindChart data={s.byKind.map((k) => ({ label: kindLabels[k.kind] ?? k.kind, count: k.count }))} />
      </Card>
    </>
  );
}
