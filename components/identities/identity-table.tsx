"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { IdentityListResult } from "@/lib/identities/list";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/card";
import { FilterSelect } from "@/components/ui/filter-select";
import { FieldErrorsAlert } from "@/components/ui/field-errors";
import { Pagination } from "@/components/ui/pagination";
import { ageInDays, formatDate, kindLabels, relative } from "@/components/ui/format";
import { levelTone } from "@/components/reconciliation/labels";
import type { IdentityKind, IdentityStatus } from "@/db/schema";
import { api, type ApiError } from "@/lib/http/client";
import { Table, THead, Th, TBody } from "@/components/ui/table";
import { useUrlFilters } from "@/components/ui/use-url-filters";

type Params = Record<string, string | undefined>;

const FILTER_KEYS = [
  "q",
  "kind",
  "status",
  "systemId",
  "ownerId",
  "backupOwnerId",
  "orphaned",
  "privileged",
  "standing",
  "level",
  "sort",
  "page",
  "pageSize",
] as const;

function toQueryString(params: Params) {
  const usp = new URLSearchParams();
  for (const key of FILTER_KEYS) if (params[key]) usp.set(key, params[key]);
  return usp.toString();
}

const fetchIdentities = (qs: string) => api<IdentityListResult>(`/api/v1/identities?${qs}`);

export function IdentityTable({
  initialParams,
  initial,
  initialError,
  systems,
  people,
  kinds,
  statuses,
}: {
  initialParams: Params;
  initial: IdentityListResult | null;
  initialError: Record<string, string[]> | null;
  systems: { id: string; name: string }[];
  people: { id: string; displayName: string }[];
  /** The schema's kinds and statuses, handed down by the page so db/ stays out of the browser bundle. */
  kinds: readonly IdentityKind[];
  statuses: readonly IdentityStatus[];
}) {
  const { search, set: update, text: q, setText: setQ } = useUrlFilters();
  const params: Params = Object.fromEntries(FILTER_KEYS.map((k) => [k, search.get(k) ?? undefined]));
  const qs = toQueryString(params);
  const initialQs = toQueryString(initialParams);

  const query = useQuery({
    queryKey: ["identities", qs],
    queryFn: () => fetchIdentities(qs),
    initialData: qs === initialQs && initial ? initial : undefined,
    placeholderData: keepPreviousData,
    enabled: !(qs === initialQs && initialError),
  });

  const data = query.data;
  const fieldErrors = (query.error as ApiError | null)?.fieldErrors ?? (qs === initialQs ? initialError : null);

  return (
    <div>
      <form role="search" className="mb-4 flex flex-wrap items-end gap-3" onSubmit={(e) => e.preventDefault()}>
        <label className="flex flex-col text-xs font-medium text-slate-600">
          Search
          <input
            value={q}
            onChange={(e) => setQ(e.target.value)}
            placeholder="Name, email or ARN"
            className="mt-1 w-64 rounded-md border border-slate-300 px-2 py-1.5 text-sm font-normal"
          />
        </label>
        <FilterSelect
          label="Kind"
          value={params.kind ?? ""}
          onChange={(kind) => update({ kind })}
          choices={[{ value: "", label: "All kinds" }, ...kinds.map((k) => ({ value: k, label: kindLabels[k] }))]}
        />
        <FilterSelect
          label="System"
          value={params.systemId ?? ""}
          onChange={(systemId) => update({ systemId })}
          choices={[{ value: "", label: "All systems" }, ...systems.map((x) => ({ value: x.id, label: x.name }))]}
        />
        <FilterSelect
          label="Status"
          value={params.status ?? ""}
          onChange={(status) => update({ status })}
          choices={[{ value: "", label: "Any status" }, ...statuses.map((x) => ({ value: x, label: x }))]}
        />
        <label className="flex items-center gap-2 pb-1.5 text-sm">
          <input type="checkbox" checked={params.orphaned === "true"} onChange={(e) => update({ orphaned: e.target.checked ? "true" : undefined })} />
          Orphaned only
        </label>
        <label className="flex items-center gap-2 pb-1.5 text-sm">
          <input type="checkbox" checked={params.privileged === "true"} onChange={(e) => update({ privileged: e.target.checked ? "true" : undefined })} />
          Privileged only
        </label>
        <label className="flex items-center gap-2 pb-1.5 text-sm" title="Holds a standing (always-on) privileged or admin grant">
          <input type="checkbox" checked={params.standing === "true"} onChange={(e) => update({ standing: e.target.checked ? "true" : undefined })} />
          Standing privilege
        </label>
        <FilterSelect
          label="Privilege level"
          value={params.level ?? ""}
          onChange={(level) => update({ level })}
          choices={[
            { value: "", label: "Any level" },
            { value: "admin", label: "Admin" },
            { value: "privileged", label: "Privileged" },
            { value: "standard", label: "Standard" },
            { value: "reaches_admin", label: "Can reach admin (AWS analysis)" },
          ]}
        />
        <FilterSelect
          label="Sort"
          value={params.sort ?? "name"}
          onChange={(sort) => update({ sort })}
          choices={[
            { value: "name", label: "Name" },
            { value: "kind", label: "Kind" },
            { value: "next_attestation", label: "Next attestation" },
            { value: "last_used", label: "Last used" },
          ]}
        />
        <FilterSelect
          label="Owner"
          value={params.ownerId ?? ""}
          onChange={(ownerId) => update({ ownerId })}
          choices={[{ value: "", label: "Any owner" }, ...people.map((p) => ({ value: p.id, label: p.displayName }))]}
        />
        <FilterSelect
          label="Backup owner"
          value={params.backupOwnerId ?? ""}
          onChange={(backupOwnerId) => update({ backupOwnerId })}
          choices={[{ value: "", label: "Any backup owner" }, ...people.map((p) => ({ value: p.id, label: p.displayName }))]}
        />
      </form>

      <FieldErrorsAlert errors={fieldErrors} />

      {data && (
        <>
          <p className="mb-2 text-sm text-slate-600" data-testid="result-count" aria-live="polite">
            {data.total.toLocaleString("en")} {data.total === 1 ? "identity" : "identities"}
            {query.isFetching && <span className="ml-2 text-slate-400">updating…</span>}
          </p>
          {data.rows.length === 0 ? (
            <EmptyState title="No identities match these filters.">Clear a filter or search for another name.</EmptyState>
          ) : (
            <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
              <Table>
                <THead>
                  <Th>Name</Th>
                  <Th>Kind</Th>
                  <Th>System</Th>
                  <Th>Owner</Th>
                  <Th>Status</Th>
                  <Th>Level</Th>
                  <Th align="right">Privileged grants</Th>
                  <Th>Last used</Th>
                  <Th>Next attestation</Th>
                </THead>
                <TBody>
                  {data.rows.map((r) => (
                    <tr key={r.id} className="hover:bg-slate-50">
                      <td className="max-w-[12rem] truncate px-2 py-2">
                        <Link href={`/identities/${r.id}`} className="font-medium text-brand-700 hover:underline">
                          {r.kind === "human" ? r.displayName : r.name}
                        </Link>
                      </td>
                      <td className="px-2 py-2">{kindLabels[r.kind]}</td>
                      <td className="px-2 py-2 text-slate-600">{r.systemName ?? "—"}</td>
                      <td className="px-2 py-2">
                        {r.orphaned ? <Badge tone="red">Orphaned{r.ownerName ? ` (${r.ownerName})` : ""}</Badge> : (r.ownerName ?? "—")}
                      </td>
                      <td className="whitespace-nowrap px-2 py-2">
                        <Badge tone={r.status === "active" ? "green" : r.status === "disabled" ? "amber" : "neutral"}>{r.status}</Badge>
                      </td>
                      <td className="px-2 py-2">{r.privilegeLevel ? <Badge tone={levelTone[r.privilegeLevel]}>{r.privilegeLevel}</Badge> : "—"}</td>
                      <td className="px-2 py-2 text-right tabular-nums">{r.privilegedGrants > 0 ? <Badge tone="purple">{r.privilegedGrants}</Badge> : "—"}</td>
                      <td className="px-2 py-2 text-slate-600">{relative(r.lastUsedAt)}</td>
                      <td className="whitespace-nowrap px-2 py-2">
                        {r.nextAttestationAt ? (
                          new Date(r.nextAttestationAt) < new Date() ? (
                            <Badge tone="amber" title={`due ${formatDate(r.nextAttestationAt)}`}>
                              {ageInDays(r.nextAttestationAt)} days overdue
                            </Badge>
                          ) : (
                            <span className="text-slate-600">{relative(r.nextAttestationAt)}</span>
                          )
                        ) : (
                          "—"
                        )}
                      </td>
                    </tr>
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
                className="rounded-md border border-slate-300 px-3 py-1 disabled:opacity-40"
                disabled={data.page <= 1}
                onClick={() => update({ page: String(data.page - 1) })}
              >
                Previous
              </button>
            }
            next={
              <button
                className="rounded-md border border-slate-300 px-3 py-1 disabled:opacity-40"
                disabled={data.page >= data.pageCount}
                onClick={() => update({ page: String(data.page + 1) })}
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
