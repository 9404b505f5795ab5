"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { listRequests } from "@/lib/jit/list";
import { api, errorText } from "@/lib/http/client";
import { IdentityVerdict } from "@/components/escalation/evidence";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/card";
import { formatDateTime, formatMinutes, kindLabels, relative } from "@/components/ui/format";
import { RequestStatus, levelTone } from "./status";

type Page = Awaited<ReturnType<typeof listRequests>>;
type Row = Page["rows"][number];
type Decision = { id: string; verb: "approve" | "deny" | "post-review"; body: Record<string, unknown> };

function Fact({ label, value, warn }: { label: string; value: React.ReactNode; warn?: boolean }) {
  return (
    <div>
      <dt className="text-[11px] uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className={`text-sm tabular-nums ${warn ? "font-medium text-rose-700" : ""}`}>{value}</dd>
    </div>
  );
}

/** What the approver needs to decide: who, what, why, for how long, and how this identity has used it before. */
function RequestCard({ r, children }: { r: Row; children: React.ReactNode }) {
  const c = r.context;
  return (
    <li className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid={`approval-${r.id}`}>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div>
          <p className="font-medium">
            <Link className="text-brand-700 hover:underline" href={`/identities/${r.identityId}`}>
              {r.identityName}
            </Link>{" "}
            <span className="text-xs text-slate-500">{kindLabels[r.identityKind]}</span> asks for{" "}
            <Link className="text-brand-700 hover:underline" href={`/access-requests/${r.id}`}>
              {r.entitlementName}
            </Link>{" "}
            <span className="text-slate-500">in {r.systemName}</span> <Badge tone={levelTone[r.privilegeLevel]}>{r.privilegeLevel}</Badge>{" "}
            <RequestStatus status={r.status} breakGlass={r.breakGlass} />
          </p>
          {c && <IdentityVerdict identityId={r.identityId} level={c.identityLevel} entitlementLevel={r.privilegeLevel} evidence={c.escalation} />}
          <p className="mt-1 text-sm text-slate-700">“{r.justification ?? "no justification"}”</p>
          <p className="mt-1 text-xs text-slate-500">
            {formatMinutes(r.durationMinutes)}
            {r.requestedStartAt ? ` from ${formatDateTime(r.requestedStartAt)}` : r.startsAt ? ` from ${formatDateTime(r.startsAt)}` : " from approval"}
            {r.ticket && ` · ticket ${r.ticket}`} · policy “{r.policyName}” · asked {relative(r.createdAt)}
            {r.status === "pending" && ` · decide ${relative(r.pendingUntil)}`}
            {!r.breakGlass && ` · ${r.approvals} of ${r.approvalsRequired} approvals`}
          </p>
        </div>
      </div>
      {c && (
        <dl className="mt-3 grid grid-cols-3 gap-3 rounded-md bg-slate-50 p-2 sm:grid-cols-7">
          <Fact label="Last used" value={c.lastUsedAt ? relative(c.lastUsedAt) : "never"} />
          <Fact label="Uses 30 d" value={c.uses30d} />
          <Fact label="Uses 90 d" value={c.uses90d} />
          <Fact label="Past requests" value={c.pastRequests} />
          <Fact label="Denied" value={c.pastDenied} warn={c.pastDenied > 0} />
          <Fact label="Break-glass 90 d" value={c.pastBreakGlass} warn={c.pastBreakGlass > 0} />
          <Fact label="Open findings" value={c.openFindings} warn={c.openFindings > 0} />
        </dl>
      )}
      {children}
    </li>
  );
}

function Decide({
  r,
  onDecide,
  labels,
}: {
  r: Row;
  onDecide: (verb: "approve" | "deny" | "confirm" | "escalate", comment: string) => void;
  labels: [string, string];
}) {
  const [comment, setComment] = useState("");
  const [yes, no] = labels;
  const postReview = yes === "Confirm";
  return (
    <div className="mt-3 flex flex-wrap items-end gap-2">
      <label className="min-w-64 flex-1 text-xs font-medium text-slate-600">
        Comment {postReview ? "(required to escalate)" : "(required to deny)"}
        <input
          aria-label={`Comment on ${r.identityName} ${r.entitlementName}`}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm"
        />
      </label>
      <button
        className="rounded-md bg-emerald-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-emerald-700"
        onClick={() => onDecide(postReview ? "confirm" : "approve", comment)}
      >
        {yes}
      </button>
      <button
        className="rounded-md border border-rose-300 bg-white px-3 py-1.5 text-sm font-medium text-rose-700 hover:bg-rose-50"
        onClick={() => onDecide(postReview ? "escalate" : "deny", comment)}
      >
        {no}
      </button>
    </div>
  );
}

/**
 * The approver's queue, most urgent first, and the break-glass uses waiting
 * for confirmation. A decision takes the card away at once; a refusal brings
 * it back with the server's reason.
 */
export function ApprovalQueue({ initial, postReview }: { initial: Page; postReview: Page }) {
  const client = useQueryClient();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const pending = useQuery({
    queryKey: ["jit", "approvals"],
    queryFn: () => api<Page>("/api/v1/jit/requests?scope=approvals&pageSize=50"),
    initialData: initial,
    refetchInterval: 10_000,
  });
  const reviews = useQuery({
    queryKey: ["jit", "post-review"],
    queryFn: () => api<Page>("/api/v1/jit/requests?scope=approvals&postReview=1&pageSize=50"),
    initialData: postReview,
    refetchInterval: 30_000,
  });
  const decide = useMutation({
    mutationFn: ({ id, verb, body }: Decision) => api<{ status: string }>(`/api/v1/jit/requests/${id}/${verb}`, { body }),
    onMutate: async ({ id, verb }) => {
      setError(null);
      setDone(null);
      const key = verb === "post-review" ? ["jit", "post-review"] : ["jit", "approvals"];
      await client.cancelQueries({ queryKey: key });
      const previous = client.getQueryData<Page>(key);
      client.setQueryData<Page>(key, (old) => old && { ...old, total: old.total - 1, rows: old.rows.filter((r) => r.id !== id) });
      return { previous, key };
    },
    onError: (e, _v, context) => {
      if (context) client.setQueryData(context.key, context.previous);
      setError(errorText(e));
    },
    onSuccess: (result, { verb }) =>
      setDone(verb === "post-review" ? "Review recorded." : result.status === "pending" ? "Recorded; more approvals are needed." : `Request ${result.status}.`),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: ["jit"] });
      // The tab's count and the bell are the server's: they follow the decision too.
      router.refresh();
    },
  });
  const rows = pending.data?.rows ?? [];
  const bg = reviews.data?.rows ?? [];
  return (
    <div className="space-y-6">
      {error && (
        <p role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">
          {error}
        </p>
      )}
      {done && (
        <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
          {done}
        </p>
      )}
      <section>
        <h2 className="mb-2 text-sm font-semibold text-slate-700">Waiting for your decision ({pending.data?.total ?? 0})</h2>
        {rows.length === 0 ? (
          <EmptyState title="Nothing waits for you.">
            Requests you may approve appear here, most urgent first, with the requester’s recent use of the access.
          </EmptyState>
        ) : (
          <ul className="space-y-3">
            {rows.map((r) => (
              <RequestCard key={r.id} r={r}>
                <Decide
                  r={r}
                  labels={["Approve", "Deny"]}
                  onDecide={(verb, comment) =>
                    decide.mutate({ id: r.id, verb: verb as "approve" | "deny", body: comment.trim() ? { comment: comment.trim() } : {} })
                  }
                />
              </RequestCard>
            ))}
          </ul>
        )}
      </section>
      {bg.length > 0 && (
        <section>
          <h2 className="mb-2 text-sm font-semibold text-rose-800">Break-glass uses to review ({reviews.data?.total ?? 0})</h2>
          <ul className="space-y-3">
            {bg.map((r) => (
              <RequestCard key={r.id} r={r}>
                <Decide
                  r={r}
                  labels={["Confirm", "Escalate"]}
                  onDecide={(outcome, comment) =>
                    decide.mutate({ id: r.id, verb: "post-review", body: { outcome, ...(comment.trim() ? { comment: comment.trim() } : {}) } })
                  }
                />
              </RequestCard>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
