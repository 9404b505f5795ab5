import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { NotFoundError } from "@/lib/errors";
import { getRequest, type RequestDetail } from "@/lib/jit/detail";
import { CredentialPanel } from "@/components/jit/credential-panel";
import { RequestActions } from "@/components/jit/request-actions";
import { WindowText } from "@/components/jit/request-table";
import { RequestStatus, levelTone } from "@/components/jit/status";
import { Badge } from "@/components/ui/badge";
import { Field } from "@/components/ui/field";
import { Card } from "@/components/ui/card";
import { formatDateTime, formatMinutes, kindLabels } from "@/components/ui/format";

export const metadata = { title: "Access request" };

const actionWords: Record<string, string> = {
  "jit.requested": "Requested",
  "jit.approval_recorded": "Approval recorded",
  "jit.denial_recorded": "Denial recorded",
  "jit.approved": "Approved (window opens later)",
  "jit.activated": "Active",
  "jit.denied": "Denied",
  "jit.expired": "Expired",
  "jit.released": "Released",
  "jit.revoked": "Revoked",
  "jit.cancelled": "Cancelled",
  "jit.timed_out": "Timed out",
  "credential.issued": "Credential handed out",
  "credential.reissued": "New password handed out (the previous one stopped working)",
  "jit.break_glass_confirmed": "Break-glass use confirmed",
  "jit.break_glass_escalated": "Break-glass use escalated",
  "grant.created": "Grant created",
  "grant.revoked": "Grant ended (revocation recorded, downstream notified)",
};

function Sessions({ sessions }: { sessions: RequestDetail["sessions"] }) {
  if (sessions.length === 0) return <p className="text-sm text-slate-600">No PAM session was recorded under this access.</p>;
  return (
    <ul className="space-y-3">
      {sessions.map((s) => (
        <li key={s.id} className="rounded-md border border-slate-200">
          <p className="flex flex-wrap items-center justify-between gap-2 bg-slate-50 px-3 py-1.5 text-sm">
            <span className="font-mono text-xs">{s.sessionId}</span>
            <span className="text-xs text-slate-600">
              {formatDateTime(s.startedAt)} – {s.endedAt ? formatDateTime(s.endedAt) : "open"} · {s.eventCount} events
              {s.outsideWindowCount > 0 && <Badge tone="red">{s.outsideWindowCount} outside the window</Badge>}
            </span>
          </p>
          <ol className="divide-y divide-slate-100 text-xs">
            {s.events.map((e) => (
              <li key={e.id} className={`flex gap-3 px-3 py-1 ${e.outsideWindow ? "bg-rose-50" : ""}`}>
                <span className="w-36 shrink-0 text-slate-500">{formatDateTime(e.occurredAt)}</span>
                <span className="w-16 shrink-0 font-medium">{e.kind}</span>
                <code className="min-w-0 flex-1 truncate" title={e.detail ?? undefined}>
                  {e.detail ?? ""}
                </code>
                {e.outcome === "denied" && <Badge tone="amber">denied</Badge>}
              </li>
            ))}
          </ol>
        </li>
      ))}
    </ul>
  );
}

export default async function RequestPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const caller = await requireCaller();
  let d: RequestDetail;
  try {
    d = await getRequest(await getDb(), caller, id);
  } catch (e) {
    if (e instanceof NotFoundError) notFound();
    throw e;
  }
  const r = d.request;
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-3">
        <h2 className="text-lg font-semibold">
          {r.identityName} · {r.entitlementName} <span className="font-normal text-slate-500">in {r.systemName}</span>
        </h2>
        <Badge tone={levelTone[r.privilegeLevel]}>{r.privilegeLevel}</Badge>
        <span data-testid="request-status">
          <RequestStatus status={r.status} breakGlass={r.breakGlass} />
        </span>
        {r.breakGlass && r.postReviewStatus && (
          <Badge tone={r.postReviewStatus === "pending" ? "amber" : r.postReviewStatus === "escalated" ? "red" : "green"}>
            post-use review: {r.postReviewStatus}
          </Badge>
        )}
      </div>
      <div className="grid gap-6 lg:grid-cols-3">
        <Card title="Request" className="lg:col-span-2">
          <dl className="grid grid-cols-2 gap-4 md:grid-cols-3">
            <Field label="Identity">
              <Link className="text-brand-700 hover:underline" href={`/identities/${r.identityId}`}>
                {r.identityName}
              </Link>{" "}
              <span className="text-xs text-slate-500">{kindLabels[r.identityKind]}</span>
            </Field>
            <Field label="Asked by">{r.requesterName}</Field>
            <Field label="Asked">{formatDateTime(r.createdAt)}</Field>
            <Field label="Policy">{r.policyName}</Field>
            <Field label="Duration">{formatMinutes(r.durationMinutes)}</Field>
            <Field label="Window">
              <WindowText r={r} />
            </Field>
            <Field label="Ticket">{r.ticket ?? "—"}</Field>
            <Field label="Approvals">{r.breakGlass ? "none (break-glass)" : `${r.approvals} of ${r.approvalsRequired}`}</Field>
            <Field label="Ended">{r.endedAt ? `${formatDateTime(r.endedAt)}${r.endReason ? `: ${r.endReason}` : ""}` : "—"}</Field>
          </dl>
          <p className="mt-4 text-sm">
            <span className="text-xs font-medium uppercase tracking-wide text-slate-500">Justification</span>
            <br />
            {r.justification ?? "—"}
          </p>
          {d.grant && (
            <p className="mt-4 text-xs text-slate-600" data-testid="grant-window">
              Grant {d.grant.active ? "usable now" : "not usable now"}: {formatDateTime(d.grant.startsAt)} – {formatDateTime(d.grant.expiresAt)}
              {d.grant.revokedAt && `, ended ${formatDateTime(d.grant.revokedAt)} (${d.grant.revokeReason})`}.
            </p>
          )}
        </Card>
        <div className="space-y-4">
          <RequestActions id={r.id} status={r.status} can={d.can} />
          {r.activation !== "membership" && (
            <Card title="Credential">
              <CredentialPanel
                id={r.id}
                activation={r.activation}
                credentials={d.credentials}
                certificates={d.certificates}
                target={d.credentialKind}
                canTake={d.can.takeCredential}
              />
            </Card>
          )}
          <Card title="Approvers">
            <ul className="space-y-1 text-sm">
              {d.approvers.map((a) => {
                const decision = d.approvals.find((x) => x.approverId === a.id);
                return (
                  <li key={a.id} className="flex items-center justify-between gap-2">
                    <span>{a.displayName}</span>
                    {decision ? (
                      <Badge tone={decision.decision === "approve" ? "green" : "red"}>{decision.decision === "approve" ? "approved" : "denied"}</Badge>
                    ) : (
                      <span className="text-xs text-slate-500">—</span>
                    )}
                  </li>
                );
              })}
            </ul>
            {d.approvals.some((a) => a.comment) && (
              <ul className="mt-3 space-y-1 border-t border-slate-100 pt-2 text-xs text-slate-600">
                {d.approvals
                  .filter((a) => a.comment)
                  .map((a) => (
                    <li key={a.approverId}>
                      <strong>{a.approverName}</strong>: {a.comment}
                    </li>
                  ))}
              </ul>
            )}
          </Card>
        </div>
      </div>
      <Card title={`Sessions (${d.sessions.length})`}>
        <Sessions sessions={d.sessions} />
      </Card>
      <Card title={`Usage during the window (${d.usageCount})`}>
        {d.usage.length === 0 ? (
          <p className="text-sm text-slate-600">{r.startsAt ? "No use of this access was recorded in the window." : "The window has not opened."}</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-xs">
            {d.usage.map((u) => (
              <li key={u.id} className="flex gap-3 py-1">
                <span className="w-36 text-slate-500">{formatDateTime(u.occurredAt)}</span>
                <span className="font-medium">{u.action}</span>
                <span className="text-slate-500">{u.source}</span>
                {u.outcome === "denied" && <Badge tone="amber">denied</Badge>}
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title="History">
        <ol className="space-y-1 text-sm" data-testid="request-history">
          {d.history.map((h) => (
            <li key={h.id} className="flex gap-3">
              <span className="w-40 shrink-0 text-xs text-slate-500">{formatDateTime(h.occurredAt)}</span>
              <span>
                {actionWords[h.action] ?? h.action} <span className="text-slate-500">by {h.actorLabel}</span>
              </span>
            </li>
          ))}
        </ol>
      </Card>
    </div>
  );
}
