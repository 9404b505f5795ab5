"use client";

import { Outcome } from "@/components/ui/outcome";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { api, errorText } from "@/lib/http/client";

type Channel = "email" | "chat" | "digest";
export type PreferenceRow = { event: string; label: string; description: string; channels: Channel[]; default?: Channel[]; source?: "yours" | "default" };

/** The choices offered per event: combinations of the channels, in words. */
const MODES: { channels: Channel[]; label: string }[] = [
  { channels: [], label: "In the app only" },
  { channels: ["email"], label: "Email at once" },
  { channels: ["digest"], label: "Daily digest email" },
  { channels: ["chat"], label: "Chat" },
  { channels: ["email", "chat"], label: "Email and chat" },
  { channels: ["chat", "digest"], label: "Chat, and the daily digest" },
];
const keyOf = (c: readonly Channel[]) => [...c].sort().join("+") || "app";
const labelOf = (c: readonly Channel[]) => MODES.find((m) => keyOf(m.channels) === keyOf(c))?.label ?? c.join(", ");
const DEFAULT = "default";

/**
 * Where each event reaches a person (or, for admins, everyone by default).
 * The app's inbox always gets every notice; these are the channels beyond it.
 * Choices needing a channel that is not configured are offered but marked.
 */
export function PreferenceEditor({
  rows,
  endpoint,
  available,
  personal,
  canEdit = true,
}: {
  rows: PreferenceRow[];
  endpoint: string;
  available: { email: boolean; chat: boolean };
  personal: boolean;
  canEdit?: boolean;
}) {
  const router = useRouter();
  const initial = Object.fromEntries(rows.map((r) => [r.event, personal && r.source === "default" ? DEFAULT : keyOf(r.channels)]));
  const [choice, setChoice] = useState<Record<string, string>>(initial);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();
  const changed = rows.filter((r) => choice[r.event] !== initial[r.event]);
  const missing = (c: Channel[]) => c.some((x) => (x === "chat" ? !available.chat : !available.email));

  function save() {
    const body = Object.fromEntries(
      changed.map((r) => [r.event, choice[r.event] === DEFAULT ? null : MODES.find((m) => keyOf(m.channels) === choice[r.event])!.channels]),
    );
    start(async () => {
      try {
        await api(endpoint, { method: "PUT", body });
        setMessage({ ok: true, text: `Saved ${changed.length} ${changed.length === 1 ? "choice" : "choices"}.` });
        router.refresh();
      } catch (e) {
        setMessage({ ok: false, text: errorText(e) });
      }
    });
  }

  return (
    <div>
      <ul className="divide-y divide-slate-100" data-testid="notification-preferences">
        {rows.map((r) => (
          <li key={r.event} className="flex flex-col gap-2 py-3 sm:flex-row sm:items-center sm:justify-between">
            <div className="min-w-0">
              <label htmlFor={`pref-${r.event}`} className="font-medium text-slate-900">
                {r.label}
              </label>
              <p className="text-sm text-slate-500">{r.description}</p>
            </div>
            <select
              id={`pref-${r.event}`}
              disabled={!canEdit}
              value={choice[r.event]}
              onChange={(e) => {
                setChoice((all) => ({ ...all, [r.event]: e.target.value }));
                setMessage(null);
              }}
              className="w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm sm:w-64"
            >
              {personal && <option value={DEFAULT}>Default: {labelOf(r.default ?? [])}</option>}
              {MODES.map((m) => (
                <option key={keyOf(m.channels)} value={keyOf(m.channels)}>
                  {m.label}
                  {missing(m.channels) ? " (not set up)" : ""}
                </option>
              ))}
            </select>
          </li>
        ))}
      </ul>
      {canEdit && (
        <button
          disabled={pending || changed.length === 0}
          onClick={save}
          className="mt-3 rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50"
        >
          Save
        </button>
      )}
      <Outcome message={message} />
    </div>
  );
}
