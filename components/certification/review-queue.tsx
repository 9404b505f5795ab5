"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import type { ReviewQueue, ReviewRow } from "@/lib/certification/queue";
import { IdentityVerdict } from "@/components/escalation/evidence";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/card";
import { FilterSelect } from "@/components/ui/filter-select";
import { FieldErrorsAlert } from "@/components/ui/field-errors";
import { kindLabels, relative } from "@/components/ui/format";
import { Pagination } from "@/components/ui/pagination";
import type { Person } from "@/components/ui/person-select";
import { api, type ApiError } from "@/lib/http/client";
import { Table, THead, Th, TBody } from "@/components/ui/table";
import { useUrlFilters } from "@/components/ui/use-url-filters";
import { Select, peopleChoices } from "@/components/ui/select";

type Decision = "certify" | "revoke";
type DecisionInput = { itemIds: string[]; decision: Decision | "reassign"; comment?: string; reassignTo?: string };
const fetchQueue = (qs: string) => api<ReviewQueue>(`/api/v1/reviews?${qs}`);
const postDecision = (input: DecisionInput) => api("/api/v1/reviews/decisions", { body: input });

const levelTone = { admin: "red", privileged: "purple", standard: "neutral" } as const;

/**
 * The reviewer's queue. Decisions show at once (optimistic) and are rolled
 * back with the server's message if refused. Keyboard: j/k move, c certify,
 * r revoke, x select.
 */
export function ReviewQueueView({
  initial,
  initialQs,
  people,
  campaigns,
}: {
  initial: ReviewQueue | null;
  initialQs: string;
  people: Person[];
  campaigns: { id: string; name: string }[];
}) {
  const { search, set, text, setText } = useUrlFilters();
  const setParam = (k: string, v: string | undefined) => set({ [k]: v });
  const qs = search.toString();
  const client = useQueryClient();
  const key = ["reviews", qs];
  const query = useQuery({
    queryKey: key,
    queryFn: () => fetchQueue(qs),
    initialData: qs === initialQs && initial ? initial : undefined,
    placeholderData: keepPreviousData,
  });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [comments, setComments] = useState<Record<string, string>>({});
  const [bulkComment, setBulkComment] = useState("");
  const [bulkReassignTo, setBulkReassignTo] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  // The keyboard focus follows an item, not a position: when a decided item
  // leaves the list (the queue refetches after each decision), the focus stays
  // on the item it was on, or on the one that took its place.
  const [focused, setFocused] = useState<{ id: string | null; index: number }>({ id: null, index: 0 });
  const rowsRef = useRef<HTMLTableRowElement[]>([]);

  const mutation = useMutation({
    mutationFn: postDecision,
    onMutate: async (input) => {
      setError(null);
      await client.cancelQueries({ queryKey: key });
      const previous = client.getQueryData<ReviewQueue>(key);
      client.setQueryData<ReviewQueue>(key, (old) => {
        if (!old) return old;
        // A reassigned item leaves this queue; a decided one shows its decision.
        if (input.decision === "reassign")
          return { ...old, total: old.total - input.itemIds.length, rows: old.rows.filter((r) => !input.itemIds.includes(r.id)) };
        const decision = input.decision;
        return { ...old, rows: old.rows.map((r) => (input.itemIds.includes(r.id) ? { ...r, decision, comment: input.comment ?? null } : r)) };
      });
      return { previous };
    },
    onError: (e, _input, context) => {
      client.setQueryData(key, context?.previous);
      setError(e as ApiError);
    },
    onSuccess: () => setSelected(new Set()),
    onSettled: () => client.invalidateQueries({ queryKey: ["reviews"] }),
  });

  const rows = query.data?.rows ?? [];
  const at = focused.id ? rows.findIndex((r) => r.id === focused.id) : -1;
  const focus = at >= 0 ? at : Math.min(focused.index, Math.max(0, rows.length - 1));
  const pending = rows.filter((r) => !r.decision);

  function decide(decision: Decision, itemIds: string[], comment?: string) {
    mutation.mutate({ itemIds, decision, comment: comment?.trim() || undefined });
  }

  function reassign(itemIds: string[], to: string, comment?: string) {
    mutation.mutate({ itemIds, decision: "reassign", reassignTo: to || undefined, comment: comment?.trim() || undefined });
  }

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      const target = e.target as HTMLElement;
      if (["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName)) return;
      const row = rows[focus];
      const moveTo = (index: number) => setFocused({ id: rows[index]?.id ?? null, index });
      if (e.key === "j") moveTo(Math.min(rows.length - 1, focus + 1));
      else if (e.key === "k") moveTo(Math.max(0, focus - 1));
      else if (row && !row.decision && e.key === "c") decide("certify", [row.id], comments[row.id]);
      else if (row && !row.decision && e.key === "r") decide("revoke", [row.id], comments[row.id]);
      else if (row && e.key === "x") toggle(row.id);
      else return;
      e.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });
  // A block body: an effect's return value is its cleanup, and scrollIntoView
  // returns a Promise in current Chromium, which React would then call.
  useEffect(() => {
    rowsRef.current[focus]?.scrollIntoView({ block: "nearest" });
  }, [focus]);

  function toggle(id: string) {
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  return (
    <div>
      <div className="mb-4 flex flex-wrap items-end gap-3">
        <label className="flex flex-col text-xs font-medium text-slate-600">
          Search
          <input
            type="search"
            aria-label="Search identity or entitlement"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="Identity or entitlement"
            className="mt-1 w-56 rounded-md border border-slate-300 px-2 py-1.5 text-sm"
          />
        </label>
        {campaigns.length > 1 && (
          <FilterSelect
            label="Campaign"
            value={search.get("campaignId") ?? ""}
            onChange={(v) => setParam("campaignId", v)}
            choices={[{ value: "", label: "All campaigns" }, ...campaigns.map((c) => ({ value: c.id, label: c.name }))]}
          />
        )}
        <FilterSelect
          label="Kind"
          value={search.get("kind") ?? ""}
          onChange={(v) => setParam("kind", v)}
          choices={[{ value: "", label: "Any" }, ...Object.entries(kindLabels).map(([value, label]) => ({ value, label }))]}
        />
        <FilterSelect
          label="Show"
          value={search.get("status") ?? "pending"}
          onChange={(v) => setParam("status", v)}
          choices={[
            { value: "pending", label: "To decide" },
            { value: "decided", label: "Decided" },
            { value: "all", label: "All" },
          ]}
        />
        <FilterSelect
          label="Recommendation"
          value={search.get("recommendation") ?? ""}
          onChange={(v) => setParam("recommendation", v)}
          choices={[
            { value: "", label: "Any" },
            { value: "revoke", label: "Revoke" },
            { value: "certify", label: "Certify" },
          ]}
        />
        <FilterSelect
          label="Level"
          value={search.get("privilegeLevel") ?? ""}
          onChange={(v) => setParam("privilegeLevel", v)}
          choices={[
            { value: "", label: "Any" },
            { value: "admin", label: "Admin" },
            { value: "privileged", label: "Privileged" },
            { value: "standard", label: "Standard" },
          ]}
        />
        <p className="pb-1.5 text-xs text-slate-500">Keys: j/k move · c certify · r revoke · x select</p>
      </div>

      <FieldErrorsAlert errors={error?.fieldErrors} />
      {error && !error.fieldErrors && (
        <p role="alert" className="mb-4 rounded-md border border-rose-200 bg-rose-50 px-4 py-3 text-sm text-rose-800">
          {error.message}
        </p>
      )}

      {selected.size > 0 && (
        <div
          className="sticky top-0 z-10 mb-3 flex flex-wrap items-center gap-3 rounded-lg border border-brand-100 bg-brand-50 px-4 py-2"
          data-testid="bulk-bar"
        >
          <span className="text-sm font-medium">{selected.size} selected</span>
          <input
            aria-label="Comment for selected"
            placeholder="Comment (required to revoke or certify privileged access)"
            value={bulkComment}
            onChange={(e) => setBulkComment(e.target.value)}
            className="min-w-80 flex-1 rounded-md border border-slate-300 px-2 py-1 text-sm"
          />
          <button className="rounded-md bg-emerald-600 px-3 py-1 text-sm font-medium text-white" onClick={() => decide("certify", [...selected], bulkComment)}>
            Certify selected
          </button>
          <button className="rounded-md bg-rose-600 px-3 py-1 text-sm font-medium text-white" onClick={() => decide("revoke", [...selected], bulkComment)}>
            Revoke selected
          </button>
          <span className="flex items-center gap-1">
            <Select
              aria-label="Reassign selected to"
              value={bulkReassignTo}
              onChange={(e) => setBulkReassignTo(e.target.value)}
              placeholder="Reassign to…"
              choices={peopleChoices(people)}
            />
            <button
              className="rounded-md border border-slate-300 bg-white px-3 py-1 text-sm font-medium"
              onClick={() => reassign([...selected], bulkReassignTo, bulkComment)}
            >
              Reassign selected
            </button>
          </span>
        </div>
      )}

      {query.data && (
        <>
          <p className="mb-2 text-sm text-slate-600" data-testid="queue-count">
            {query.data.total.toLocaleString("en")} items{query.isFetching && <span className="ml-2 text-slate-400">updating…</span>}
          </p>
          {rows.length === 0 ? (
            <EmptyState title="Nothing to review here.">When a campaign assigns you items, they appear in this queue.</EmptyState>
          ) : (
            <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
              <Table data-testid="review-table">
                <THead>
                  <Th>
                    <input
                      type="checkbox"
                      aria-label="Select all to decide"
                      checked={pending.length > 0 && pending.every((r) => selected.has(r.id))}
                      onChange={(e) => setSelected(e.target.checked ? new Set(pending.map((r) => r.id)) : new Set())}
                    />
                  </Th>
                  <Th>Identity</Th>
                  <Th>Access</Th>
                  <Th>Evidence</Th>
                  <Th>Recommendation</Th>
                  <Th>Decision</Th>
                </THead>
                <TBody top>
                  {rows.map((r, i) => (
                    <ReviewItemRow
                      key={r.id}
                      row={r}
                      focused={i === focus}
                      rowRef={(el) => {
                        if (el) rowsRef.current[i] = el;
                      }}
                      selected={selected.has(r.id)}
                      onToggle={() => toggle(r.id)}
                      comment={comments[r.id] ?? ""}
                      onComment={(c) => setComments({ ...comments, [r.id]: c })}
                      onDecide={(d) => decide(d, [r.id], comments[r.id])}
                      people={people}
                      onReassign={(to) => reassign([r.id], to, comments[r.id])}
                    />
                  ))}
                </TBody>
              </Table>
            </div>
          )}
          <Pagination
            page={query.data.page}
            pageCount={query.data.pageCount}
            previous={
              <button
                className="rounded-md border border-slate-300 px-3 py-1 disabled:opacity-40"
                disabled={query.data.page <= 1}
                onClick={() => setParam("page", String(query.data.page - 1))}
              >
                Previous
              </button>
            }
            next={
              <button
                className="rounded-md border border-slate-300 px-3 py-1 disabled:opacity-40"
                disabled={query.data.page >= query.data.pageCount}
                onClick={() => setParam("page", String(query.data.page + 1))}
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

function ReviewItemRow({
  row: r,
  focused,
  rowRef,
  selected,
  onToggle,
  comment,
  onComment,
  onDecide,
  people,
  onReassign,
}: {
  people: Person[];
  onReassign: (to: string) => void;
  row: ReviewRow;
  focused: boolean;
  rowRef: (el: HTMLTableRowElement | null) => void;
  selected: boolean;
  onToggle: () => void;
  comment: string;
  onComment: (c: string) => void;
  onDecide: (d: Decision) => void;
}) {
  const [reassignTo, setReassignTo] = useState<string | null>(null);
  const proposal = r.stage < r.stages;
  return (
    <tr ref={rowRef} data-testid="review-row" data-item={r.id} data-focused={focused || undefined} className={focused ? "bg-brand-50/60" : ""}>
      <td className="px-3 py-2">
        {!r.decision && <input type="checkbox" aria-label={`Select ${r.identityName} ${r.entitlementName}`} checked={selected} onChange={onToggle} />}
      </td>
      <td className="px-3 py-2">
        <Link href={`/identities/${r.identityId}`} className="font-medium text-brand-700 hover:underline">
          {r.identityName}
        </Link>
        <div className="text-xs text-slate-500">
          {kindLabels[r.identityKind]}
          {r.ownerName && ` · owner ${r.ownerName}`}
        </div>
        {r.routing?.startsWith("fallback") && <div className="mt-0.5 text-xs text-amber-700">{r.routing}</div>}
      </td>
      <td className="px-3 py-2">
        <div className="font-medium">
          {r.entitlementName} <Badge tone={levelTone[r.privilegeLevel]}>{r.privilegeLevel}</Badge>
        </div>
        <div className="text-xs text-slate-500">
          {r.systemName} · {r.grantType} · {r.provenance === "none" ? <span className="text-rose-700">unapproved</span> : r.provenance.replace("_", " ")}
          {r.approvedByName && ` by ${r.approvedByName}`}
        </div>
        <IdentityVerdict identityId={r.identityId} level={r.identityLevel} entitlementLevel={r.privilegeLevel} evidence={r.escalation} />
      </td>
      <td className="px-3 py-2 text-xs text-slate-600">
        <div>Last used {r.lastUsedAt ? relative(r.lastUsedAt) : "never"}</div>
        <div>
          {r.used30} uses in 30 days · {r.used90} in 90
        </div>
        {r.credentialAgeDays != null && <div className={r.credentialAgeDays > 365 ? "text-amber-700" : ""}>Oldest secret {r.credentialAgeDays} days</div>}
      </td>
      <td className="max-w-xs px-3 py-2">
        {r.stage > 1 && <div className="mb-1 text-xs font-medium text-violet-700">Second stage: confirm or overturn</div>}
        <Badge tone={r.recommendation === "revoke" ? "red" : "green"}>{r.recommendation}</Badge>
        <div className="mt-1 text-xs text-slate-600">{r.recommendationReason}</div>
      </td>
      <td className="px-3 py-2">
        {r.decision ? (
          <div>
            <Badge tone={r.decision === "revoke" ? "red" : "green"}>
              {proposal ? `Proposed ${r.decision}` : r.decision === "revoke" ? "Revoked" : "Certified"}
            </Badge>
            {proposal && <div className="mt-1 text-xs text-slate-500">awaiting the second stage</div>}
            {r.comment && <div className="mt-1 max-w-48 text-xs text-slate-500">“{r.comment}”</div>}
          </div>
        ) : (
          <div className="flex min-w-56 flex-col gap-1">
            <input
              aria-label={`Comment for ${r.identityName} ${r.entitlementName}`}
              value={comment}
              onChange={(e) => onComment(e.target.value)}
              placeholder="Comment"
              className="rounded-md border border-slate-300 px-2 py-1 text-xs"
            />
            <div className="flex gap-1">
              <button className="rounded-md bg-emerald-600 px-2 py-1 text-xs font-medium text-white" onClick={() => onDecide("certify")}>
                Certify
              </button>
              <button className="rounded-md bg-rose-600 px-2 py-1 text-xs font-medium text-white" onClick={() => onDecide("revoke")}>
                Revoke
              </button>
              <button
                className="rounded-md border border-slate-300 px-2 py-1 text-xs"
                aria-expanded={reassignTo !== null}
                onClick={() => setReassignTo(reassignTo === null ? "" : null)}
              >
                Reassign…
              </button>
            </div>
            {reassignTo !== null && (
              <div className="flex gap-1">
                <Select
                  aria-label={`Reassign ${r.identityName} ${r.entitlementName} to`}
                  value={reassignTo}
                  onChange={(e) => setReassignTo(e.target.value)}
                  compact
                  className="min-w-0 flex-1"
                  placeholder="Choose a reviewer…"
                  choices={peopleChoices(people)}
                />
                <button className="rounded-md bg-slate-700 px-2 py-1 text-xs font-medium text-white" onClick={() => onReassign(reassignTo)}>
                  Reassign
                </button>
              </div>
            )}
            {proposal && <p className="text-[11px] text-slate-500">Stage 1 of 2: a second reviewer confirms your decision.</p>}
          </div>
        )}
      </td>
    </tr>
  );
}
