"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, useState } from "react";
import type { ActionRow, ActionStatus, Reconciliation } from "@/lib/reconciliation/actions";
import { api, errorText, formText } from "@/lib/http/client";
import { Badge, type Tone } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/card";
import { formatDate, formatDateTime, kindLabels, relative } from "@/components/ui/format";
import { IdentityPicker } from "@/components/ui/identity-picker";
import { Pagination } from "@/components/ui/pagination";
import { ActionGroups } from "./action-groups";
import { CountPill } from "./count-pill";
import { Table, THead, Th, TBody } from "@/components/ui/table";
import { useUrlFilters } from "@/components/ui/use-url-filters";
import { Button } from "@/components/ui/button";

export type PickedIdentity = { id: string; name: string; kind: string; systemName: string | null };

const statusTone: Record<ActionStatus, Tone> = { used: "green", unused: "amber", unapproved: "red", denied: "purple", unobservable: "neutral" };
const statusLabel: Record<ActionStatus, string> = { used: "Used", unused: "Unused", unapproved: "Unapproved", denied: "Denied", unobservable: "Unobservable" };
const statusHelp: Record<ActionStatus, string> = {
  used: "approved and used",
  unused: "approved, never used, and the log would have shown it",
  unapproved: "used successfully, approved by nothing",
  denied: "only refused attempts",
  unobservable: "approved and unused, but the log cannot show its use",
};
const ORDER: ActionStatus[] = ["unapproved", "denied", "used", "unused", "unobservable"];
const PAGE = 50;
const grouped = (s: ActionStatus) => s === "unused" || s === "unobservable";
const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Action-level reconciliation of one identity over a window: what its cloud
 * entitlements approve against what it did. Used, unapproved and denied
 * actions are a table; unused and unobservable ones are grouped by service.
 * Identity, window, status and search live in the URL.
 */
export function IdentityReconciliationView({ identity }: { identity: PickedIdentity | null }) {
  const [page, setPage] = useState(1);
  const { search, set: setParams, text, setText } = useUrlFilters({ onChange: () => setPage(1) });
  const since = search.get("since") ?? "";
  const until = search.get("until") ?? "";
  const status = (search.get("status") ?? "") as ActionStatus | "";

  const windowParams = new URLSearchParams();
  if (since) windowParams.set("since", since);
  // A "to" day includes that whole day.
  if (until) windowParams.set("until", `${until}T23:59:59.999Z`);
  const query = useQuery({
    queryKey: ["identity-reconciliation", identity?.id, since, until],
    enabled: !!identity,
    queryFn: () => api<Reconciliation>(`/api/v1/reconciliation/identities/${identity!.id}?${windowParams}`),
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
  const data = query.data?.identity.id === identity?.id ? query.data : undefined;

  const needle = (search.get("q") ?? "").toLowerCase();
  const matching = useMemo(
    () => (data?.actions ?? []).filter((a) => !needle || a.action.toLowerCase().includes(needle) || (a.approvedBy ?? "").toLowerCase().includes(needle)),
    [data, needle],
  );
  const counts = useMemo(
    () => Object.fromEntries(ORDER.map((s) => [s, matching.filter((a) => a.status === s).length])) as Record<ActionStatus, number>,
    [matching],
  );
  const flat = matching.filter((a) => !grouped(a.status) && (!status || a.status === status));
  const groupedRows = matching.filter((a) => grouped(a.status) && (!status || a.status === status));
  const pageCount = Math.max(1, Math.ceil(flat.length / PAGE));

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end gap-4 rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <div className="w-72">
          <IdentityPicker
            label={identity ? "Reconcile another identity" : "Identity"}
            onChange={(id) => id && setParams({ identityId: id, status: undefined, q: undefined })}
          />
        </div>
        <form
          className="flex flex-wrap items-end gap-3"
          aria-label="Window"
          onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            setParams({ since: formText(f, "since") || undefined, until: formText(f, "until") || undefined });
          }}
        >
          <label className="flex flex-col text-xs font-medium text-slate-600">
            Since
            <input
              type="date"
              name="since"
              defaultValue={since || (data?.since ?? "").slice(0, 10)}
              key={`s-${since}-${data?.since}`}
              className="mt-1 rounded-md border border-slate-300 px-2 py-1.5 text-sm"
            />
          </label>
          <label className="flex flex-col text-xs font-medium text-slate-600">
            Until
            <input
              type="date"
              name="until"
              defaultValue={until || (data?.until ?? "").slice(0, 10)}
              key={`u-${until}-${data?.until}`}
              className="mt-1 rounded-md border border-slate-300 px-2 py-1.5 text-sm"
            />
          </label>
          <Button type="submit" variant="primary">
            Apply
          </Button>
          <span className="flex gap-1 pb-0.5">
            {[30, 90, 180].map((n) => (
              <button
                key={n}
                type="button"
                className="rounded-md border border-slate-300 bg-white px-2 py-1 text-xs hover:bg-slate-50"
                onClick={() => setParams({ since: day(new Date(Date.now() - n * 86_400_000)), until: undefined })}
              >
                Last {n} days
              </button>
            ))}
          </span>
        </form>
      </div>

      {!identity ? (
        <EmptyState title="Choose an identity to reconcile.">
          Pick a service account, role, key or person above: every action its cloud entitlements approve is set against what it actually did in the window (90
          days unless you choose).
        </EmptyState>
      ) : query.isError && !data ? (
        <p role="alert" className="rounded-md border border-rose-200 bg-rose-50 px-4 py-3 text-sm text-rose-800">
          {errorText(query.error)}
        </p>
      ) : !data ? (
        <p className="text-sm text-slate-600" role="status">
          Reconciling {identity.name}…
        </p>
      ) : (
        <>
          <div>
            <h2 className="text-lg font-semibold">
              <Link href={`/identities/${data.identity.id}`} className="text-brand-700 hover:underline">
                {data.identity.name}
              </Link>{" "}
              <span className="text-sm font-normal text-slate-500">
                {kindLabels[data.identity.kind] ?? data.identity.kind}
                {data.identity.system && ` in ${data.identity.system}`}
              </span>
              {query.isFetching && <span className="ml-2 text-xs font-normal text-slate-400">updating…</span>}
            </h2>
            <p className="text-sm text-slate-600" data-testid="recon-window">
              {formatDate(data.since)} – {formatDate(data.until)}
              {data.identity.arn && <span className="ml-2 font-mono text-xs text-slate-500">{data.identity.arn}</span>}
            </p>
          </div>

          <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4 xl:grid-cols-7" data-testid="recon-summary">
            <Figure label="Approved actions" value={data.summary.approved} />
            {ORDER.map((s) => (
              <Figure key={s} label={statusLabel[s]} value={data.summary[s]} tone={s} hint={statusHelp[s]} />
            ))}
            <Figure label="Unused share" value={`${data.summary.unusedShare}%`} hint="of what could be seen" />
          </dl>
          <p className="text-xs text-slate-500">
            Entitlements:{" "}
            {data.summary.entitlements.length ? data.summary.entitlements.join(", ") : "none expressed as actions (access approved by the entitlement itself)"}
          </p>

          <div className="flex flex-wrap items-center gap-2">
            <div className="flex flex-wrap gap-1.5" role="group" aria-label="Action status">
              <CountPill label="All" count={matching.length} active={!status} onClick={() => setParams({ status: undefined })} />
              {ORDER.map((s) => (
                <CountPill
                  key={s}
                  label={statusLabel[s]}
                  count={counts[s]}
                  active={status === s}
                  onClick={() => setParams({ status: status === s ? undefined : s })}
                />
              ))}
            </div>
            <input
              type="search"
              aria-label="Search actions"
              value={text}
              onChange={(e) => setText(e.target.value)}
              placeholder="Search actions, e.g. s3:Get"
              className="ml-auto w-64 rounded-md border border-slate-300 px-2 py-1.5 text-sm"
            />
          </div>

          {flat.length > 0 && (
            <section aria-label="Used, unapproved and denied actions">
              <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
                <Table data-testid="actions-table">
                  <THead>
                    <Th>Action</Th>
                    <Th>Status</Th>
                    <Th align="right">Uses</Th>
                    <Th align="right">Refused</Th>
                    <Th>Last used</Th>
                    <Th>Approved by</Th>
                  </THead>
                  <TBody>
                    {flat.slice((page - 1) * PAGE, page * PAGE).map((a) => (
                      <ActionTableRow key={a.action} a={a} />
                    ))}
                  </TBody>
                </Table>
              </div>
              {pageCount > 1 && (
                <Pagination
                  page={page}
                  pageCount={pageCount}
                  previous={
                    <button
                      className="rounded-md border border-slate-300 bg-white px-3 py-1 disabled:opacity-40"
                      disabled={page <= 1}
                      onClick={() => setPage(page - 1)}
                    >
                      Previous
                    </button>
                  }
                  next={
                    <button
                      className="rounded-md border border-slate-300 bg-white px-3 py-1 disabled:opacity-40"
                      disabled={page >= pageCount}
                      onClick={() => setPage(page + 1)}
                    >
                      Next
                    </button>
                  }
                />
              )}
            </section>
          )}

          {groupedRows.length > 0 && (
            <section aria-label="Approved but unused actions by service">
              <h3 className="mb-2 text-sm font-semibold text-slate-700">
                Approved, no use seen, by service ({groupedRows.length.toLocaleString("en")} actions)
              </h3>
              <ActionGroups key={`${identity.id}-${status}-${needle}`} rows={groupedRows} />
            </section>
          )}

          {flat.length === 0 && groupedRows.length === 0 && (
            <EmptyState title={data.actions.length ? "No actions match." : "No action-level evidence for this identity."}>
              {data.actions.length
                ? "Change the status or the search."
                : "Its access is not expressed as cloud actions, and no action use was recorded in the window. Its grants are reconciled as a whole on the findings list."}
            </EmptyState>
          )}
          <p className="text-xs text-slate-500">Catalogue {data.summary.catalogueVersion}.</p>
        </>
      )}
    </div>
  );
}

function ActionTableRow({ a }: { a: ActionRow }) {
  return (
    <tr data-testid="action-row">
      <td className="px-3 py-1.5 font-mono text-xs">{a.action}</td>
      <td className="px-3 py-1.5">
        <Badge tone={statusTone[a.status]}>{statusLabel[a.status]}</Badge>
      </td>
      <td className="px-3 py-1.5 text-right tabular-nums">{a.count.toLocaleString("en")}</td>
      <td className={`px-3 py-1.5 text-right tabular-nums ${a.deniedCount ? "text-rose-700" : ""}`}>{a.deniedCount.toLocaleString("en")}</td>
      <td className="px-3 py-1.5 text-xs text-slate-600" title={formatDateTime(a.lastUsed)}>
        {a.lastUsed ? relative(a.lastUsed) : "—"}
      </td>
      <td className="px-3 py-1.5 text-xs">{a.approvedBy ?? (a.status === "unapproved" ? <span className="font-medium text-rose-700">nothing</span> : "—")}</td>
    </tr>
  );
}

function Figure({ label, value, tone, hint }: { label: string; value: number | string; tone?: ActionStatus; hint?: string }) {
  const warn = (tone === "unapproved" || tone === "denied" || tone === "unused") && value !== 0;
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm" title={hint}>
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className={`text-xl font-semibold tabular-nums ${warn ? (tone === "unused" ? "text-amber-700" : "text-rose-700") : ""}`}>
        {typeof value === "number" ? value.toLocaleString("en") : value}
      </dd>
      {hint && <p className="text-[11px] leading-tight text-slate-500">{hint}</p>}
    </div>
  );
}
