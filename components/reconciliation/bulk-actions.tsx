"use client";

import { useState } from "react";
import type { z } from "zod";
import type { FindingRow, findingAction } from "@/lib/reconciliation/findings";
import type { Person } from "@/components/ui/person-select";
import { Select, peopleChoices } from "@/components/ui/select";
import { Button } from "@/components/ui/button";

/** What the findings API takes, as its schema says. */
export type ActionInput = z.input<typeof findingAction>;
type FindingAction = ActionInput["action"];

const verbs: Record<FindingAction, { button: string; confirm: (n: number) => string; reason: string }> = {
  revoke: { button: "Revoke…", confirm: (n) => `Revoke access behind ${n}`, reason: "Why is this access revoked?" },
  review: { button: "Open a review…", confirm: (n) => `Open a review of ${n}`, reason: "Note for the reviewer (optional)" },
  convert: { button: "Convert to just-in-time…", confirm: (n) => `Convert ${n} to just-in-time`, reason: "Reason (optional)" },
  accept: { button: "Accept risk…", confirm: (n) => `Accept the risk of ${n}`, reason: "Why is this risk accepted?" },
};

/**
 * What an admin can do with the selected findings. Each action asks for what
 * the server needs (a reason, a reviewer) before it is sent; actions the
 * selection does not allow are disabled with the reason why.
 */
export function BulkActions({
  selected,
  people,
  pending,
  onAct,
  onClear,
}: {
  selected: FindingRow[];
  people: Person[];
  pending: boolean;
  onAct: (input: ActionInput) => void;
  onClear: () => void;
}) {
  const [mode, setMode] = useState<FindingAction | null>(null);
  const [reason, setReason] = useState("");
  const [reviewerId, setReviewerId] = useState("");
  const n = selected.length;
  const revocable = selected.filter((r) => r.revocable).length;
  const convertible = selected.filter((r) => r.convertible).length;
  const blocked: Partial<Record<FindingAction, string>> = {
    revoke:
      revocable < n
        ? `${n - revocable} of the selected have no live grant to revoke (orphans, credentials and action-level findings are handled on the identity).`
        : undefined,
    convert: convertible < n ? `Only standing privileged grants convert to just-in-time; ${n - convertible} of the selected are not.` : undefined,
  };
  const plural = `finding${n === 1 ? "" : "s"}`;

  function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!mode) return;
    onAct({
      findingIds: selected.map((r) => r.id),
      action: mode,
      reason: reason.trim() || undefined,
      reviewerId: mode === "review" ? reviewerId || undefined : undefined,
    });
  }

  return (
    <div className="sticky top-0 z-10 mb-3 rounded-lg border border-brand-100 bg-brand-50 px-4 py-2" data-testid="bulk-bar">
      <div className="flex flex-wrap items-center gap-2">
        <span className="mr-2 text-sm font-medium">
          {n} {plural} selected
        </span>
        {(Object.keys(verbs) as FindingAction[]).map((a) => (
          <button
            key={a}
            type="button"
            disabled={!!blocked[a]}
            title={blocked[a]}
            aria-pressed={mode === a}
            onClick={() => setMode(mode === a ? null : a)}
            className={`rounded-md px-3 py-1 text-sm font-medium disabled:cursor-not-allowed disabled:opacity-40 ${
              mode === a
                ? "bg-slate-800 text-white"
                : a === "revoke"
                  ? "bg-rose-600 text-white hover:bg-rose-700"
                  : "border border-slate-300 bg-white hover:bg-slate-50"
            }`}
          >
            {verbs[a].button}
          </button>
        ))}
        <button type="button" onClick={onClear} className="ml-auto text-sm text-slate-600 hover:underline">
          Clear selection
        </button>
      </div>
      {(blocked.revoke || blocked.convert) && !mode && <p className="mt-1 text-xs text-slate-600">{blocked.revoke ?? blocked.convert}</p>}
      {mode && (
        <form onSubmit={submit} aria-label={verbs[mode].confirm(n)} className="mt-2 flex flex-wrap items-end gap-3 border-t border-brand-100 pt-2">
          {mode === "review" && (
            <label className="flex flex-col text-xs font-medium text-slate-600">
              Reviewer
              <Select
                value={reviewerId}
                onChange={(e) => setReviewerId(e.target.value)}
                className="mt-1 w-56"
                aria-label="Reviewer"
                placeholder="Choose a reviewer…"
                choices={peopleChoices(people)}
              />
            </label>
          )}
          <label className="flex min-w-72 flex-1 flex-col text-xs font-medium text-slate-600">
            {verbs[mode].reason}
            <input
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              className="mt-1 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
              aria-label={verbs[mode].reason}
            />
          </label>
          <Button type="submit" variant={mode === "revoke" ? "danger" : "primary"} pending={pending} pendingLabel="Working…">
            {`${verbs[mode].confirm(n)} ${plural}`}
          </Button>
          <button type="button" onClick={() => setMode(null)} className="py-1.5 text-sm text-slate-600 hover:underline">
            Cancel
          </button>
        </form>
      )}
    </div>
  );
}
