import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { getCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/auth/caller";
import { campaignProgress } from "@/lib/certification/report";
import { NotFoundError } from "@/lib/errors";
import { LaunchButton } from "@/components/certification/launch-button";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { formatDate } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";

export const metadata = { title: "Campaign" };

const pct = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 100));

export default async function CampaignPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const caller = (await getCaller())!;
  let report;
  try {
    report = await campaignProgress(await getDb(), caller, id);
  } catch (e) {
    if (e instanceof NotFoundError) notFound();
    throw e;
  }
  const { campaign: c, totals, perReviewer, remediation } = report;
  return (
    <>
      <Link href="/certifications" className="text-sm text-brand-700 hover:underline">
        ← Certifications
      </Link>
      <PageHeader
        title={c.name}
        description={c.description ?? undefined}
        actions={c.status === "draft" && hasRole(caller, "admin") ? <LaunchButton campaignId={c.id} /> : <Badge tone={c.status === "active" ? "green" : "neutral"}>{c.status}</Badge>}
      />
      <div className="grid gap-4 sm:grid-cols-4">
        <Card title="Progress">
          <div className="text-3xl font-semibold tabular-nums" data-testid="campaign-progress">
            {pct(totals.decided, totals.total)}%
          </div>
          <div className="mt-2 h-2 rounded bg-slate-100">
            <div className="h-2 rounded bg-brand-600" style={{ width: `${pct(totals.decided, totals.total)}%` }} />
          </div>
          <div className="mt-1 text-xs text-slate-500">
            {totals.decided.toLocaleString("en")} of {totals.total.toLocaleString("en")} items decided
          </div>
        </Card>
        <Card title="Decisions">
          <div className="text-sm">
            <span className="font-semibold text-emerald-700">{totals.certified}</span> certified ·{" "}
            <span className="font-semibold text-rose-700">{totals.revoked}</span> revoked
          </div>
        </Card>
        <Card title="Revocations carried out">
          <div className="text-sm">
            {remediation.confirmed} confirmed · {remediation.pending} awaiting the target system
          </div>
        </Card>
        <Card title="Schedule">
          <div className="text-sm">
            {formatDate(c.startsAt)} → {formatDate(c.dueAt)}
            <div className="text-xs text-slate-500">
              {c.recurrence === "none" ? "one-time" : c.recurrence.replace("_", "-")} · undecided: {c.undecidedAction} · revoke at {c.revokeAt}
            </div>
          </div>
        </Card>
      </div>
      <Card title="By reviewer" className="mt-6">
        {perReviewer.length === 0 ? (
          <p className="text-sm text-slate-600">{c.status === "draft" ? "Launch the campaign to create review items." : "No items were in scope."}</p>
        ) : (
          <table className="min-w-full text-sm" data-testid="reviewer-table">
            <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="py-2 pr-3">Reviewer</th>
                <th className="py-2 pr-3 text-right">Items</th>
                <th className="py-2 pr-3 text-right">Decided</th>
                <th className="py-2 pr-3 text-right">Certified</th>
                <th className="py-2 pr-3 text-right">Revoked</th>
                <th className="py-2 pr-3"></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {perReviewer.map((r) => (
                <tr key={r.reviewerId}>
                  <td className="py-2 pr-3">{r.reviewerName}</td>
                  <td className="py-2 pr-3 text-right tabular-nums">{r.total}</td>
                  <td className="py-2 pr-3 text-right tabular-nums">{pct(r.decided, r.total)}%</td>
                  <td className="py-2 pr-3 text-right tabular-nums">{r.certified}</td>
                  <td className="py-2 pr-3 text-right tabular-nums">{r.revoked}</td>
                  <td className="py-2 pr-3">{r.overdue && <Badge tone="amber">overdue</Badge>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}
