"use client";

import { useState } from "react";
import { actionGroupOf } from "@/lib/permissions/naming";
import type { ActionRow } from "@/lib/reconciliation/actions";

const STEP = 100;

const reasonText: Record<string, string> = {
  "data-event": "a data event the trail does not record",
  "permission-only": "a permission-only action, never logged",
};

/**
 * Approved actions nobody used (or nobody could be seen using), grouped by
 * what they act on (an AWS service, a repository, a table) with counts; a group opens to list its actions, a hundred at a
 * time, so a `*` policy's twenty thousand actions never become DOM rows at once.
 */
export function ActionGroups({ rows }: { rows: ActionRow[] }) {
  const groups = new Map<string, ActionRow[]>();
  for (const r of rows) {
    const s = actionGroupOf(r.action);
    const list = groups.get(s);
    if (list) list.push(r);
    else groups.set(s, [r]);
  }
  const sorted = [...groups.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  const [shown, setShown] = useState(30);
  return (
    <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
      <ul className="divide-y divide-slate-100" data-testid="action-groups">
        {sorted.slice(0, shown).map(([service, list]) => (
          <Group key={service} service={service} rows={list} />
        ))}
      </ul>
      {sorted.length > shown && (
        <button
          type="button"
          className="w-full border-t border-slate-100 px-3 py-2 text-sm text-brand-700 hover:bg-slate-50"
          onClick={() => setShown((n) => n + 50)}
        >
          Show more services ({sorted.length - shown} more)
        </button>
      )}
    </div>
  );
}

function Group({ service, rows }: { service: string; rows: ActionRow[] }) {
  const [open, setOpen] = useState(false);
  const [limit, setLimit] = useState(STEP);
  const unused = rows.filter((r) => r.status === "unused").length;
  const unobservable = rows.length - unused;
  const via = [...new Set(rows.map((r) => r.approvedBy).filter((v): v is string => !!v))];
  return (
    <li data-testid="action-group" data-service={service}>
      <button
        type="button"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        className="flex w-full items-center justify-between gap-3 px-3 py-2 text-left text-sm hover:bg-slate-50"
      >
        <span className="flex items-center gap-2">
          <span className={`inline-block w-3 text-slate-400 transition-transform ${open ? "rotate-90" : ""}`} aria-hidden>
            ▸
          </span>
          <span className="font-mono font-medium">{service}</span>
        </span>
        <span className="flex gap-3 text-xs tabular-nums text-slate-600">
          {unused > 0 && <span className="text-amber-700">{unused.toLocaleString("en")} unused</span>}
          {unobservable > 0 && <span>{unobservable.toLocaleString("en")} unobservable</span>}
        </span>
      </button>
      {open && (
        <div className="border-t border-slate-100 bg-slate-50 px-3 py-2">
          {via.length > 0 && <p className="mb-1 text-xs text-slate-500">Approved by {via.join(", ")}</p>}
          <ul className="grid gap-x-6 gap-y-0.5 text-xs sm:grid-cols-2 lg:grid-cols-3 2xl:grid-cols-4">
            {rows.slice(0, limit).map((r) => (
              <li
                key={r.action}
                className="flex min-w-0 items-baseline gap-2"
                title={r.reason ? `${r.action}: unobservable, ${reasonText[r.reason] ?? r.reason}` : `${r.action}, approved by ${r.approvedBy ?? "—"}`}
              >
                <span className="truncate font-mono">{r.action}</span>
                {r.status === "unobservable" && (
                  <span className="shrink-0 rounded bg-slate-200 px-1 text-[10px] text-slate-600">{r.reason ?? "unobservable"}</span>
                )}
              </li>
            ))}
          </ul>
          {rows.length > limit && (
            <button type="button" className="mt-2 text-xs text-brand-700 hover:underline" onClick={() => setLimit((n) => n + STEP)}>
              Show {Math.min(STEP, rows.length - limit)} more of {(rows.length - limit).toLocaleString("en")}
            </button>
          )}
        </div>
      )}
    </li>
  );
}
