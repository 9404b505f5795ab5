import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/caller";
import type { CloseSummary } from "@/lib/certification/close";
import { previewScope } from "@/lib/certification/launch";
import { campaignProgress, RUBBER_STAMP } from "@/lib/certification/report";
import { NotFoundError } from "@/lib/errors";
import { CampaignActions } from "@/components/certification/campaign-actions";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { formatDate, formatDateTime } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";
import { Table, THead, Th, TBody } from "@/components/ui/table";

export const metadata = { title: "Campaign" };

const pct = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 100));
const statusTone = { draft: "blue", active: "green", completed: "neutral", cancelled: "amber" } as const;
const ruleWords = { keep: "kept as they are", revoke: "revoked", recommendation: "decided as recommended" } as const;

function seconds(s: number | null) {
  if (s === null) return "—";
  if (s < 1) return "< 1 s";
  if (s < 120) return `${Math.round(s)} s`;
  return `${Math.round(s / 60)} min`;
}

export default async function CampaignPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const caller = await requireCaller();
  const db = await getDb();
  let report;
  try {
    report = await campaignProgress(db, caller, id);
  } catch (e) {
    if (e instanceof NotFoundError) notFound();
    throw e;
  }
  const { campaign: c, totals, perReviewer, remediation } = report;
  const isOwner = c.ownerId === caller.identityId;
  const summary = c.closeSummary as CloseSummary | null;
  const stamped = perReviewer.filter((r) => r.rubberStamp);
  const preview = c.status === "draft" ? await previewScope(db, c.scope, c.unusedWindowDays) : null;
  return (
    <>
      <Link href="/certifications" className="text-sm text-brand-700 hover:underline">
        ← Certifications
      </Link>
      <PageHeader
        title={c.name}
        description={
          <>
            <Badge tone={statusTone[c.status]}>{c.status}</Badge>
            {c.stages === 2 && <span className="ml-2">Two stages: a second reviewer confirms each decision.</span>}
            {c.description && <span className="ml-2">{c.description}</span>}
          </>
        }
        actions={
          <CampaignActions
            campaignId={c.id}
            status={c.status}
            canAdminister={hasRole(caller, "admin")}
            canSignOff={c.status === "completed" && !c.signedOffAt && isOwner}
            canExport={hasRole(caller, "admin", "auditor") || isOwner}
          />
        }
      />
      <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
        <Card title="Progress">
          <div className="text-3xl font-semibold tabular-nums" data-testid="campaign-progress">
            {pct(totals.decided, totals.total)}%
          </div>
          <div className="mt-2 h-2 rounded bg-slate-100">
            <div className="h-2 rounded bg-brand-600" style={{ width: `${pct(totals.decided, totals.total)}%` }} />
          </div>
          <div className="mt-1 text-xs text-slate-500">
            {totals.decided.toLocaleString("en")} of {totals.total.toLocaleString("en")} items decided
            {totals.awaitingSecondStage > 0 && ` · ${totals.awaitingSecondStage.toLocaleString("en")} awaiting the second stage`}
          </div>
        </Card>
        <Card title="Decisions">
          <dl className="grid grid-cols-2 gap-x-3 text-sm" data-testid="decision-mix">
            <dt className="text-slate-500">Certified</dt>
            <dd className="text-right font-semibold tabular-nums text-emerald-700">{totals.certified.toLocaleString("en")}</dd>
            <dt className="text-slate-500">Revoked</dt>
            <dd className="text-right font-semibold tabular-nums text-rose-700">{totals.revoked.toLocaleString("en")}</dd>
            <dt className="text-slate-500">Settled by rule</dt>
            <dd className="text-right tabular-nums">{totals.settledByRule.toLocaleString("en")}</dd>
            <dt className="text-slate-500">Kept undecided</dt>
            <dd className="text-right tabular-nums">{totals.keptUndecided.toLocaleString("en")}</dd>
          </dl>
        </Card>
        <Card title="Revocations carried out">
          <div className="text-sm" data-testid="remediation">
            <span className="font-semibold text-emerald-700">{remediation.confirmed}</span> confirmed by the target system ·{" "}
            <span className="font-semibold text-amber-700">{remediation.pending}</span> awaiting it
            {remediation.failed > 0 && (
              <>
                {" "}
                · <span className="font-semibold text-rose-700">{remediation.failed}</span> failed
              </>
            )}
          </div>
          <p className="mt-1 text-xs text-slate-500">Each revoke ends the grant here at once and is tracked until the system it lives in confirms.</p>
        </Card>
        <Card title="Schedule">
          <div className="text-sm">
            {formatDate(c.startsAt)} → {formatDate(c.dueAt)}
            <div className="text-xs text-slate-500">
              {c.recurrence === "none" ? "one-time" : `recurs ${c.recurrence.replace("_", "-")}`} · reminders{" "}
              {c.reminderDays.length ? `${c.reminderDays.join(", ")} days before` : "off"}
            </div>
            <div className="text-xs text-slate-500">
              undecided items are {ruleWords[c.undecidedAction]} at the due date · revocations {c.revokeAt === "close" ? "at close" : "when decided"}
            </div>
            {c.previousId && (
              <Link href={`/certifications/${c.previousId}`} className="text-xs text-brand-700 hover:underline">
                previous instance
              </Link>
            )}
          </div>
        </Card>
      </div>

      {preview && (
        <Card title="In scope now" className="mt-4">
          <p className="text-sm text-slate-700" data-testid="scope-preview">
            Launching now would snapshot <strong>{preview.grants.toLocaleString("en")}</strong> grants of {preview.identities.toLocaleString("en")} identities:{" "}
            {preview.privileged.toLocaleString("en")} privileged or admin, {preview.unused.toLocaleString("en")} unused for {c.unusedWindowDays} days or more
            (recommended for revocation).
          </p>
        </Card>
      )}

      {(c.status === "completed" || c.status === "cancelled") && (
        <Card title="Outcome" className="mt-4">
          <div className="text-sm text-slate-700" data-testid="campaign-outcome">
            {c.status === "cancelled" ? (
              <p>
                Cancelled {formatDateTime(c.cancelledAt)}: “{c.cancelReason}”.
              </p>
            ) : (
              summary && (
                <p>
                  Closed {formatDateTime(c.completedAt)} by {summary.closedBy}
                  {summary.reason && ` (${summary.reason})`}: {summary.undecided.toLocaleString("en")} undecided items were {ruleWords[summary.rule]}
                  {summary.rule === "recommendation" && ` (${summary.autoCertified} certified, ${summary.autoRevoked} revoked)`};{" "}
                  {summary.revokedAtClose.toLocaleString("en")} grants were revoked at close.
                </p>
              )
            )}
            {c.status === "completed" &&
              (c.signedOffAt ? (
                <p className="mt-1 text-emerald-700">
                  Signed off {formatDateTime(c.signedOffAt)}
                  {c.signOffComment && `: “${c.signOffComment}”`}.
                </p>
              ) : (
                <p className="mt-1 text-amber-700">Awaiting sign-off by the campaign owner.</p>
              ))}
          </div>
        </Card>
      )}

      {stamped.length > 0 && (
        <div role="note" className="mt-4 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900" data-testid="rubber-stamp">
          <strong>Possible rubber-stamping:</strong> {stamped.map((r) => r.reviewerName).join(", ")} certified at least {RUBBER_STAMP.minDecisions} items,{" "}
          {Math.round(RUBBER_STAMP.certifyShare * 100)}% or more of their decisions, with a median of under {RUBBER_STAMP.medianSeconds} seconds between
          decisions. Consider a second stage or a spot check.
        </div>
      )}

      <Card title="By reviewer" className="mt-6">
        {perReviewer.length === 0 ? (
          <p className="text-sm text-slate-600">{c.status === "draft" ? "Launch the campaign to create review items." : "No items were in scope."}</p>
        ) : (
          <Table data-testid="reviewer-table">
            <THead plain>
              <Th flush>Reviewer</Th>
              <Th flush align="right">
                Items
              </Th>
              <Th flush align="right">
                Decided
              </Th>
              <Th flush align="right">
                Open
              </Th>
              <Th flush align="right">
                Certified
              </Th>
              <Th flush align="right">
                Revoked
              </Th>
              <Th flush align="right" title="Median time between consecutive decisions">
                Median pace
              </Th>
              <Th flush></Th>
            </THead>
            <TBody>
              {perReviewer.map((r) => (
                <tr key={r.reviewerId}>
                  <td className="py-2 pr-3">
                    {r.reviewerName}
                    {r.secondStage > 0 && <span className="ml-2 text-xs text-slate-500">{r.secondStage} second-stage</span>}
                  </td>
                  <td className="py-2 pr-3 text-right tabular-nums">{r.total.toLocaleString("en")}</td>
                  <td className="py-2 pr-3 text-right tabular-nums">{pct(r.decided, r.total)}%</td>
                  <td className="py-2 pr-3 text-right tabular-nums">{r.open.toLocaleString("en")}</td>
                  <td className="py-2 pr-3 text-right tabular-nums">{r.certified.toLocaleString("en")}</td>
                  <td className="py-2 pr-3 text-right tabular-nums">{r.revoked.toLocaleString("en")}</td>
                  <td className="py-2 pr-3 text-right tabular-nums">{seconds(r.medianSeconds)}</td>
                  <td className="flex flex-wrap gap-1 py-2 pr-3">
                    {r.behind && <Badge tone="amber">behind</Badge>}
                    {r.missed > 0 && <Badge tone="amber">{r.missed} missed the due date</Badge>}
                    {r.rubberStamp && <Badge tone="red">rubber-stamp?</Badge>}
                  </td>
                </tr>
              ))}
            </TBody>
          </Table>
        )}
      </Card>
    </>
  );
}
