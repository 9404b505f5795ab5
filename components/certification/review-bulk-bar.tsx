"use client";

import { useState } from "react";
import { Select, peopleChoices } from "@/components/ui/select";
import type { Person } from "@/components/ui/person-select";
import type { Decision } from "./review-item-row";

/**
 * The bar floats at the foot of the screen (right of the sidebar from `md`
 * up): appearing when the first item is ticked, it moves no row under the
 * pointer, at any width and however many lines it wraps to.
 */
const FLOATING =
  "fixed inset-x-0 bottom-0 z-20 flex flex-wrap items-center gap-3 border-t px-4 py-3 shadow-[0_-4px_12px_rgba(15,23,42,0.08)] md:left-60 md:px-6";

/** What to do with the selected items: certify, revoke or reassign them all, with one comment, confirmed with their count. */
export function ReviewBulkBar({
  count,
  people,
  onDecide,
  onReassign,
}: {
  count: number;
  people: Person[];
  onDecide: (decision: Decision, comment: string) => void;
  onReassign: (to: string, comment: string) => void;
}) {
  const [bulkComment, setBulkComment] = useState("");
  const [bulkReassignTo, setBulkReassignTo] = useState("");
  // A decision over many items is asked once more, with its count, before it is made.
  const [confirming, setConfirming] = useState<Decision | "reassign" | null>(null);
  const items = `${count} item${count === 1 ? "" : "s"}`;
  if (confirming) {
    const verb = { certify: "Certify", revoke: "Revoke", reassign: "Reassign" }[confirming];
    const to = confirming === "reassign" ? people.find((p) => p.id === bulkReassignTo)?.displayName : null;
    return (
      <div role="alertdialog" aria-label={`${verb} ${items}?`} className={`${FLOATING} border-amber-300 bg-amber-50`} data-testid="bulk-bar">
        <span className="text-sm font-medium">
          {verb} {items}
          {to ? ` to ${to}` : ""}?{bulkComment.trim() ? ` Comment: “${bulkComment.trim()}”.` : ""}
        </span>
        <button
          className="rounded-md bg-slate-800 px-3 py-1 text-sm font-medium text-white"
          onClick={() => {
            setConfirming(null);
            if (confirming === "reassign") onReassign(bulkReassignTo, bulkComment);
            else onDecide(confirming, bulkComment);
          }}
        >
          {verb} {items}
        </button>
        <button className="rounded-md border border-slate-300 bg-white px-3 py-1 text-sm font-medium" onClick={() => setConfirming(null)}>
          Back
        </button>
      </div>
    );
  }
  return (
    <div className={`${FLOATING} border-brand-100 bg-brand-50`} data-testid="bulk-bar">
      <span className="text-sm font-medium">{count} selected</span>
      <input
        aria-label="Comment for selected"
        placeholder="Comment (required to revoke or certify privileged access)"
        value={bulkComment}
        onChange={(e) => setBulkComment(e.target.value)}
        className="min-w-0 flex-1 basis-64 rounded-md border border-slate-300 px-2 py-1 text-sm"
      />
      <button className="rounded-md bg-emerald-600 px-3 py-1 text-sm font-medium text-white" onClick={() => setConfirming("certify")}>
        Certify selected
      </button>
      <button className="rounded-md bg-rose-600 px-3 py-1 text-sm font-medium text-white" onClick={() => setConfirming("revoke")}>
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
          onClick={() => (bulkReassignTo ? setConfirming("reassign") : onReassign("", bulkComment))}
        >
          Reassign selected
        </button>
      </span>
    </div>
  );
}
