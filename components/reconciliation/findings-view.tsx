"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useMemo, useState } from "react";
import type { FindingRow, listFindings } from "@/lib/reconciliation/findings";
import { api, errorText, type ApiError } from "@/lib/http/client";
import { EmptyState } from "@/components/ui/card";
import { FilterSearch, FilterSelect } from "@/components/ui/filter-select";
import type { Choice } from "@/components/ui/select";
import { kindLabels } from "@/components/ui/format";
import { Pagination } from "@/components/ui/pagination";
import type { Person } from "@/components/ui/person-select";
import { BulkActions, type ActionInput } from "./bulk-actions";
import { CountPill } from "./count-pill";
import { FindingTableRow } from "./finding-row";
import { findingKindLabels, severities } from "./labels";
import { Table, THead, Th, TBody } from "@/components/ui/table";
import { useUrlFilters } from "@/components/ui/use-url-filters";

type Page = Awaited<ReturnType<typeof listFindings>>;
type Result = { action: string; findings: number; revoked?: number; accepted?: number; converted?: number; campaignId?: string; items?: number };

const exportButton = "rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50";

function describe(r: Result, reviewer?: string) {
  const s = (n: number, word: string) => `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;
  if (r.action === "revoke") return `Revoked ${s(r.revoked ?? 0, "grant")}; ${s(r.findings, "finding")} resolved.`;
  if (r.action === "accept") return `Accepted the risk of ${s(r.accepted ?? r.findings, "finding")}.`;
  if (r.action === "convert") return `Converted ${s(r.converted ?? 0, "standing grant")} to just-in-time eligibility.`;
  return `Opened a review of ${s(r.items ?? 0, "item")}${reviewer ? ` for ${reviewer}` : ""}.`;
}

/**
 * Findings, filtered and paginated on the server, with the filters in the
 * URL. Admins select findings and act on them; the acted-on rows leave the
 * open list at once and come back with the server's reason if it refuses.
 */
export function FindingsView({
  initial,
  systems,
  people,
  controls,
  pathClasses,
  canAct,
  identityName,
  reconciled,
}: {
  initial: Page | null;
  systems: Choice[];
  people: Person[];
  controls: Choice[];
  pathClasses: Choice[];
  canAct: boolean;
  identityName: string | null;
  reconciled: boolean;
}) {
  const pathname = usePathname();
  // The selected rows themselves, so the action bar keeps them while the list refreshes under it; a filter change clears them.
  const [selected, setSelected] = useState<Map<string, FindingRow>>(new Map());
  const { search: url, set, text, setText } = useUrlFilters({ debounceMs: 300, onChange: () => setSelected(new Map()) });
  const setParam = (k: string, v: string | undefined) => set({ [k]: v });
  // An unknown path class (an old or hand-made link) is left out of the query, and said so below.
  const badPathClass = url.get("pathClass") && !pathClasses.some((c) => c.value === url.get("pathClass")) ? url.get("pathClass") : null;
  const search = useMemo(() => {
    const usp = new URLSearchParams(url.toString());
    if (badPathClass) usp.delete("pathClass");
    return usp;
  }, [url, badPathClass]);
  const qs = search.toString();
  const [initialQs] = useState(qs);
  const client = useQueryClient();
  const key = ["findings", qs];
  const query = useQuery({
    queryKey: key,
    queryFn: () => api<Page>(`/api/v1/findings?${qs}`),
    initialData: qs === initialQs && initial ? initial : undefined,
    placeholderData: keepPreviousData,
  });
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<{ text: string; campaignId?: string } | null>(null);
  const status = search.get("status") ?? "open";

  const act = useMutation({
    mutationFn: (input: ActionInput) => api<Result>("/api/v1/findings/actions", { body: input }),
    onMutate: async (input) => {
      setError(null);
      setDone(null);
      await client.cancelQueries({ queryKey: key });
      const previous = client.getQueryData<Page>(key);
      // Revoked, converted and accepted findings are no longer open: they leave the open list at once.
      if (input.action !== "review" && status === "open") {
        client.setQueryData<Page>(
          key,
          (old) => old && { ...old, total: old.total - input.findingIds.length, rows: old.rows.filter((r) => !input.findingIds.includes(r.id)) },
        );
      }
      return { previous };
    },
    onError: (e, _input, context) => {
      client.setQueryData(key, context?.previous);
      setError(e as ApiError);
    },
    onSuccess: (result, input) => {
      setSelected(new Map());
      setDone({
        text: `${describe(result, people.find((p) => p.id === input.reviewerId)?.displayName)} The figures follow after the next reconciliation pass, queued now.`,
        campaignId: result.campaignId,
      });
    },
    onSettled: () => client.invalidateQueries({ queryKey: ["findings"] }),
  });

  const data = query.data;
  const rows = useMemo(() => data?.rows ?? [], [data]);
  const open = rows.filter((r) => r.status === "open");
  const filters = new URLSearchParams([...search.entries()].filter(([k]) => k !== "page" && k !== "pageSize"));
  const exportHref = (format: string) => `/api/v1/findings/export?${new URLSearchParams([...filters.entries(), ["format", format]])}`;
  const kindTotal = Object.values(data?.byKind ?? {}).reduce((n, c) => n + c, 0);
  // A broad search counts its first 1,000 matches or so: its figures are "at least".
  const capped = !!data?.countsCapped;
  const currentKind = search.get("kind") ?? "";
  const hasFilters = [...filters.keys()].length > 0 || !!badPathClass;

  function toggle(r: FindingRow) {
    setSelected((s) => {
      const next = new Map(s);
      if (next.has(r.id)) next.delete(r.id);
      else next.set(r.id, r);
      return next;
    });
  }

  return (
    <div>
      <div className="mb-3 flex flex-wrap gap-1.5" role="group" aria-label="Finding kind" data-testid="kind-filter">
        <CountPill label="All kinds" count={kindTotal} atLeast={capped} active={!currentKind} onClick={() => setParam("kind", undefined)} />
        {Object.entries(findingKindLabels)
          .filter(([k]) => (data?.byKind[k] ?? 0) > 0 || k === currentKind)
          .map(([k, label]) => (
            <CountPill
              key={k}
              label={label}
              count={data?.byKind[k] ?? 0}
              atLeast={capped}
              active={currentKind === k}
              onClick={() => setParam("kind", currentKind === k ? undefined : k)}
            />
          ))}
      </div>

      <div className="mb-4 flex flex-wrap items-end gap-3">
        <FilterSearch label="Search findings" value={text} onChange={setText} placeholder="Identity, entitlement or title" className="w-60" />
        <FilterSelect
          label="Status"
          value={status}
          onChange={(v) => setParam("status", v === "open" ? undefined : v)}
          choices={[
            { value: "open", label: "Open" },
            { value: "resolved", label: "Resolved" },
            { value: "accepted", label: "Accepted" },
            { value: "all", label: "All" },
          ]}
        />
        <FilterSelect
          label="Severity"
          value={search.get("severity") ?? ""}
          onChange={(v) => setParam("severity", v)}
          choices={[{ value: "", label: "Any" }, ...severities.map((s) => ({ value: s, label: s[0].toUpperCase() + s.slice(1) }))]}
        />
        <FilterSelect
          label="Identity kind"
          value={search.get("identityKind") ?? ""}
          onChange={(v) => setParam("identityKind", v)}
          choices={[
            { value: "", label: "Any" },
            ...Object.entries(kindLabels).map(([value, label]) => ({ value, label: value === "human" ? "People" : label })),
          ]}
        />
        <FilterSelect
          label="System"
          value={search.get("systemId") ?? ""}
          onChange={(v) => setParam("systemId", v)}
          choices={[{ value: "", label: "Any" }, ...systems]}
        />
        <FilterSelect
          label="Framework control"
          value={search.get("control") ?? ""}
          onChange={(v) => setParam("control", v)}
          choices={[{ value: "", label: "Any" }, ...controls]}
        />
        <FilterSelect
          label="Escalation path"
          value={search.get("pathClass") ?? ""}
          onChange={(v) => setParam("pathClass", v)}
          choices={[{ value: "", label: "Any" }, ...pathClasses]}
          className="w-64 max-w-full"
        />
        {search.get("identityId") && (
          <span className="flex items-center gap-1 self-end rounded-full bg-slate-200 px-3 py-1 text-sm" data-testid="identity-filter">
            Identity: {identityName ?? rows[0]?.identityName ?? "chosen identity"}
            <button
              type="button"
              aria-label="Clear the identity filter"
              onClick={() => setParam("identityId", undefined)}
              className="ml-1 text-slate-600 hover:text-slate-900"
            >
              ×
            </button>
          </span>
        )}
        {hasFilters && (
          <Link href={pathname} className="self-end py-1.5 text-sm text-slate-600 hover:underline">
            Clear filters
          </Link>
        )}
        <div className="ml-auto flex items-center gap-1 self-end" role="group" aria-label="Export findings">
          <span className="mr-1 text-xs text-slate-500">{hasFilters ? "These findings:" : "All open findings:"}</span>
          <a className={exportButton} href={exportHref("csv")} download>
            Export CSV
          </a>
          <a className={exportButton} href={exportHref("json")} download>
            JSON
          </a>
        </div>
      </div>

      {badPathClass && (
        <p role="status" data-testid="path-class-ignored" className="mb-4 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          &ldquo;{badPathClass}&rdquo; is not an escalation path class, so that filter is ignored.{" "}
          <button type="button" className="font-medium underline" onClick={() => setParam("pathClass", undefined)}>
            Remove it
          </button>
        </p>
      )}
      {error && (
        <div role="alert" data-testid="action-error" className="mb-4 rounded-md border border-rose-200 bg-rose-50 px-4 py-3 text-sm text-rose-800">
          {error.fieldErrors
            ? Object.values(error.fieldErrors)
                .flat()
                .map((m) => <p key={m}>{m}</p>)
            : error.message}
        </div>
      )}
      {done && (
        <p role="status" data-testid="action-result" className="mb-4 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
          {done.text}{" "}
          {done.campaignId && (
            <Link href={`/certifications/${done.campaignId}`} className="font-medium underline">
              Open the review
            </Link>
          )}
        </p>
      )}

      {canAct && selected.size > 0 && (
        <BulkActions
          selected={[...selected.values()]}
          people={people}
          pending={act.isPending}
          onAct={(input) => act.mutate(input)}
          onClear={() => setSelected(new Map())}
        />
      )}

      {query.isError && !data && (
        <div role="alert" className="mb-4 rounded-md border border-rose-200 bg-rose-50 px-4 py-3 text-sm text-rose-800">
          {errorText(query.error)}
        </div>
      )}

      {data && (
        <>
          <p className="mb-2 text-sm text-slate-600" data-testid="findings-count">
            {data.total.toLocaleString("en")}
            {capped && "+"} {status === "all" ? "" : `${status} `}finding{data.total === 1 && !capped ? "" : "s"}
            {capped && (
              <span className="ml-1 text-slate-500">
                (a broad search: counted up to the first {data.total.toLocaleString("en")}; narrow it to count them all)
              </span>
            )}
            {query.isFetching && <span className="ml-2 text-slate-400">updating…</span>}
          </p>
          {rows.length === 0 ? (
            !reconciled ? (
              <EmptyState title="No reconciliation pass has run yet.">
                It runs at start-up and every hour{canAct ? "; run it now with the button above" : ""}. Findings appear here as soon as it finishes.
              </EmptyState>
            ) : (
              <EmptyState title={hasFilters ? "No findings match these filters." : "No open findings."}>
                {hasFilters ? "Change or clear the filters." : "Reconciliation found nothing to act on. New findings appear here after each pass."}
              </EmptyState>
            )
          ) : (
            <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
              <Table data-testid="findings-table">
                <THead>
                  {canAct && (
                    <Th className="w-8">
                      <input
                        type="checkbox"
                        aria-label="Select every open finding on this page"
                        checked={open.length > 0 && open.every((r) => selected.has(r.id))}
                        onChange={(e) => setSelected(e.target.checked ? new Map(open.map((r) => [r.id, r])) : new Map())}
                      />
                    </Th>
                  )}
                  <Th>Severity</Th>
                  <Th>Finding</Th>
                  <Th>Identity</Th>
                  <Th>Access</Th>
                  <Th>Seen</Th>
                  <Th>Status</Th>
                </THead>
                <TBody>
                  {rows.map((r) => (
                    <FindingTableRow key={r.id} r={r} selectable={canAct} selected={selected.has(r.id)} onToggle={() => toggle(r)} />
                  ))}
                </TBody>
              </Table>
            </div>
          )}
          <Pagination
            page={data.page}
            pageCount={data.pageCount}
            previous={
              <button
                className="rounded-md border border-slate-300 bg-white px-3 py-1 disabled:opacity-40"
                disabled={data.page <= 1}
                onClick={() => setParam("page", String(data.page - 1))}
              >
                Previous
              </button>
            }
            next={
              <button
                className="rounded-md border border-slate-300 bg-white px-3 py-1 disabled:opacity-40"
                disabled={data.page >= data.pageCount}
                onClick={() => setParam("page", String(data.page + 1))}
              >
                Next
              </button>
            }
          />
        </>
      )}
    </div>
  );
}
