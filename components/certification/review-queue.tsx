"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { ReviewQueue } from "@/lib/certification/queue";
import { ReviewBulkBar } from "./review-bulk-bar";
import { ReviewFilters } from "./review-filters";
import { ReviewItemRow, type Decision } from "./review-item-row";
import { EmptyState } from "@/components/ui/card";
import { Pagination } from "@/components/ui/pagination";
import type { Person } from "@/components/ui/person-select";
import { api, type ApiError } from "@/lib/http/client";
import { Table, THead, Th, TBody } from "@/components/ui/table";
import { useUrlFilters } from "@/components/ui/use-url-filters";

/** The queue's filters, as ReviewFilters sets them in the URL. */
const FILTERS = ["q", "campaignId", "status", "privilegeLevel", "recommendation", "kind"] as const;

type DecisionInput = { itemIds: string[]; decision: Decision | "reassign"; comment?: string; reassignTo?: string };
const fetchQueue = (qs: string) => api<ReviewQueue>(`/api/v1/reviews?${qs}`);
const postDecision = (input: DecisionInput) => api("/api/v1/reviews/decisions", { body: input });

/** The one line above the table, one height whatever it says (see below). */
const LINE = "mb-3 flex min-h-12 items-center rounded-lg border px-4 py-2 text-sm";

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
  // A refused decision, with the items it was for: one item's reasons show on its row, several items' above the table.
  // Kept with the filters it happened under: changing them clears it.
  const [refusedUnder, setRefused] = useState<{ error: ApiError; itemIds: string[]; qs: string } | null>(null);
  const refused = refusedUnder?.qs === qs ? refusedUnder : null;
  const error = refused?.error ?? null;
  const reasons = (e: ApiError) => (e.fieldErrors ? Object.values(e.fieldErrors).flat() : [e.message]);
  // What the last decision over several items did, said where the reviewer is looking (above the table).
  const [done, setDone] = useState<string | null>(null);
  // The keyboard focus follows an item, not a position: when a decided item
  // leaves the list (the queue refetches after each decision), the focus stays
  // on the item it was on, or on the one that took its place.
  const [focused, setFocused] = useState<{ id: string | null; index: number }>({ id: null, index: 0 });
  const rowsRef = useRef<HTMLTableRowElement[]>([]);
  // Only j and k scroll the focused row into view. A row focused by the pointer is already in
  // view, and scrolling it between the press and the release would move the control away from
  // under the pointer: the release lands elsewhere and the click (a tick, a button) is lost.
  const scrollToFocus = useRef(false);

  const mutation = useMutation({
    mutationFn: postDecision,
    onMutate: async (input) => {
      setRefused(null);
      setDone(null);
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
    onError: (e, input, context) => {
      client.setQueryData(key, context?.previous);
      setRefused({ error: e as ApiError, itemIds: input.itemIds, qs });
    },
    onSuccess: (result, input) => {
      setSelected(new Set());
      // Said for one item too: a decided item leaves the queue at its refetch, and the decision should not leave unsaid.
      const n = (result as { decided?: number }).decided ?? input.itemIds.length;
      const verb = { certify: "certified", revoke: "revoked", reassign: "reassigned" }[input.decision];
      setDone(`${n} item${n === 1 ? "" : "s"} ${verb}.`);
    },
    onSettled: () => client.invalidateQueries({ queryKey: ["reviews"] }),
  });

  const rows = query.data?.rows ?? [];
  // Filters that narrow the queue (the page number does not): an empty queue under them may hide open items.
  const filtered = FILTERS.some((k) => search.get(k) && !(k === "status" && search.get(k) === "pending"));
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
      const moveTo = (index: number) => {
        scrollToFocus.current = true;
        setFocused({ id: rows[index]?.id ?? null, index });
      };
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
    if (!scrollToFocus.current) return;
    scrollToFocus.current = false;
    rowsRef.current[focus]?.scrollIntoView({ block: "nearest" });
  }, [focus, focused]);

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
      <ReviewFilters search={search} setParam={setParam} text={text} setText={setText} campaigns={campaigns} />
      {error && (refused!.itemIds.length !== 1 || !rows.some((r) => r.id === refused!.itemIds[0])) && (
        <div role="alert" className="mb-4 rounded-md border border-rose-200 bg-rose-50 px-4 py-3 text-sm text-rose-800">
          {refused!.itemIds.length > 1 && <p className="font-medium">Nothing was decided for the {refused!.itemIds.length} items:</p>}
          {reasons(error).map((m) => (
            <p key={m}>{m}</p>
          ))}
        </div>
      )}

      {/* One line above the table, the same height whatever it says, so nothing under the pointer moves:
          what was just decided, or how to decide several at once. The bar for the ticked items floats
          at the foot of the screen, over the page rather than above the rows. */}
      {done ? (
        <p role="status" className={`${LINE} border-emerald-200 bg-emerald-50 text-emerald-900`}>
          {done}
        </p>
      ) : (
        !!query.data?.total && (
          <p className={`${LINE} border-dashed border-slate-200 text-slate-500`}>Tick items (or press x) to certify, revoke or reassign several at once.</p>
        )
      )}
      {selected.size > 0 && (
        <ReviewBulkBar
          count={selected.size}
          people={people}
          onDecide={(decision, comment) => decide(decision, [...selected], comment)}
          onReassign={(to, comment) => reassign([...selected], to, comment)}
        />
      )}

      {query.data && (
        <>
          <p className="mb-2 text-sm text-slate-600" data-testid="queue-count">
            {query.data.total.toLocaleString("en")} item{query.data.total === 1 ? "" : "s"}
            {query.isFetching && <span className="ml-2 text-slate-400">updating…</span>}
          </p>
          {rows.length === 0 ? (
            filtered ? (
              <EmptyState title="No items match these filters.">
                Open items may be hidden by them.{" "}
                <button
                  className="font-medium text-brand-700 underline"
                  onClick={() => {
                    setText("");
                    set(Object.fromEntries(FILTERS.map((k) => [k, undefined])));
                  }}
                >
                  Clear the filters
                </button>
              </EmptyState>
            ) : (
              <EmptyState title="Nothing to review here.">When a campaign assigns you items, they appear in this queue.</EmptyState>
            )
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
                      errors={refused && refused.itemIds.length === 1 && refused.itemIds[0] === r.id ? reasons(refused.error) : undefined}
                      onFocusRow={() => setFocused({ id: r.id, index: i })}
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
      {/* Room at the foot of the page for the floating bar, so it covers no row or page link. */}
      {selected.size > 0 && <div aria-hidden className="h-48 md:h-28" />}
    </div>
  );
}
