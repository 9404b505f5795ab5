import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/caller";
import { FINDING_READERS } from "@/lib/reconciliation/findings";
import { lastReconciledAt } from "@/lib/reconciliation/identity-risk";
import { RunReconciliationButton } from "@/components/reconciliation/run-button";
import { ReconciliationTabs } from "@/components/reconciliation/tabs";
import { formatDateTime, relative } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";

const exportLink = "rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50";

/**
 * Findings and frameworks are for admins and auditors; the action-level
 * reconciliation of one identity is for anyone who may see that identity
 * (its page links here), so this layout forbids nothing itself.
 */
export default async function ReconciliationLayout({ children }: { children: React.ReactNode }) {
  const caller = await requireCaller();
  const governs = hasRole(caller, ...FINDING_READERS);
  const last = governs ? await lastReconciledAt(await getDb()) : null;
  return (
    <>
      <PageHeader
        title="Reconciliation"
        description="Every grant against what was actually used: approved but unused, used without approval, active after approval ended, used after offboarding, and the other findings that follow."
        actions={
          governs && (
            <div className="flex flex-wrap items-start gap-3">
              <div className="text-right text-xs text-slate-500" data-testid="last-run">
                {last ? (
                  <>
                    Last pass {formatDateTime(last)}
                    <br />
                    {relative(last)}; runs hourly
                  </>
                ) : (
                  "No pass has run yet"
                )}
              </div>
              <div className="flex items-center gap-1" aria-label="Export the reconciliation" role="group">
                <span className="mr-1 text-xs text-slate-500">Every live grant:</span>
                <a className={exportLink} href="/api/v1/reconciliation/export?format=csv" download>
                  Reconciliation CSV
                </a>
                <a className={exportLink} href="/api/v1/reconciliation/export?format=json" download>
                  JSON
                </a>
              </div>
              {hasRole(caller, "admin") && <RunReconciliationButton />}
            </div>
          )
        }
      />
      {governs && (
        <ReconciliationTabs
          tabs={[
            { href: "/reconciliation", label: "Findings" },
            { href: "/reconciliation/frameworks", label: "Frameworks" },
            { href: "/reconciliation/identities", label: "Identity reconciliation" },
          ]}
        />
      )}
      {children}
    </>
  );
}
