"use client";

import Link from "next/link";
import { useState } from "react";
import type { ReviewRow } from "@/lib/certification/queue";
import { IdentityVerdict } from "@/components/escalation/evidence";
import { Badge } from "@/components/ui/badge";
import { kindLabels, relative } from "@/components/ui/format";
import type { Person } from "@/components/ui/person-select";
import { Select, peopleChoices } from "@/components/ui/select";

export type Decision = "certify" | "revoke";

const levelTone = { admin: "red", privileged: "purple", standard: "neutral" } as const;

export function ReviewItemRow({
  row: r,
  focused,
  errors,
  onFocusRow,
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
  /** Why the server refused this row's last decision, shown on the row. */
  errors?: string[];
  /** The row was clicked or something in it took the focus: the keys (c, r, x) act on it from now on. */
  onFocusRow: () => void;
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
    <tr
      ref={rowRef}
      data-testid="review-row"
      data-item={r.id}
      data-focused={focused || undefined}
      // Brought into view clear of the floating bulk bar at the foot of the screen.
      className={`scroll-mb-48 md:scroll-mb-28 ${focused ? "bg-brand-50/60" : ""}`}
      onClick={onFocusRow}
      onFocusCapture={onFocusRow}
    >
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
            {errors?.map((m) => (
              <p key={m} role="alert" className="max-w-56 text-xs text-rose-700">
                {m}
              </p>
            ))}
          </div>
        )}
      </td>
    </tr>
  );
}
