"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import type { RequestDetail } from "@/lib/jit/detail";
import { api, errorText } from "@/lib/http/client";

type Verb = "approve" | "deny" | "cancel" | "release" | "revoke" | "confirm" | "escalate";

const needsText: Partial<Record<Verb, string>> = { deny: "Why is it denied?", revoke: "Why is it revoked?", escalate: "Why is the use escalated?" };

/** What the caller may do with this request now; the page re-reads itself while the request is open. */
export function RequestActions({ id, status, can }: { id: string; status: string; can: RequestDetail["can"] }) {
  const router = useRouter();
  const [text, setText] = useState("");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();

  // Live status: an approval, activation or expiry shows without a reload.
  useEffect(() => {
    if (!["pending", "approved", "active"].includes(status)) return;
    const t = setInterval(() => router.refresh(), 3_000);
    return () => clearInterval(t);
  }, [status, router]);

  function run(verb: Verb) {
    const comment = text.trim();
    const [path, body] =
      verb === "confirm" || verb === "escalate"
        ? ["post-review", { outcome: verb, ...(comment ? { comment } : {}) }]
        : verb === "revoke"
          ? ["revoke", { reason: comment }]
          : [verb, comment ? { comment } : {}];
    start(async () => {
      try {
        const result = await api<{ status: string }>(`/api/v1/jit/requests/${id}/${path}`, { body });
        setMessage({
          ok: true,
          text: verb === "confirm" || verb === "escalate" ? `Break-glass use ${verb === "confirm" ? "confirmed" : "escalated"}.` : `Request ${result.status}.`,
        });
        setText("");
        router.refresh();
      } catch (e) {
        setMessage({ ok: false, text: errorText(e) });
      }
    });
  }

  const buttons: { verb: Verb; label: string; tone: "primary" | "danger" | "plain" }[] = [];
  if (can.decide) buttons.push({ verb: "approve", label: "Approve", tone: "primary" }, { verb: "deny", label: "Deny", tone: "danger" });
  if (can.postReview)
    buttons.push({ verb: "confirm", label: "Confirm break-glass use", tone: "primary" }, { verb: "escalate", label: "Escalate", tone: "danger" });
  if (can.release) buttons.push({ verb: "release", label: "Done: release now", tone: "plain" });
  if (can.cancel) buttons.push({ verb: "cancel", label: "Cancel request", tone: "plain" });
  if (can.revoke) buttons.push({ verb: "revoke", label: "Revoke…", tone: "danger" });
  if (buttons.length === 0) return null;
  const tones = {
    primary: "bg-emerald-600 text-white hover:bg-emerald-700",
    danger: "border border-rose-300 bg-white text-rose-700 hover:bg-rose-50",
    plain: "border border-slate-300 bg-white hover:bg-slate-100",
  };
  const wantsText = buttons.some((b) => needsText[b.verb] || b.verb === "approve" || b.verb === "confirm");
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid="request-actions">
      {wantsText && (
        <label className="mb-2 block text-xs font-medium text-slate-600">
          Comment or reason (required to deny, revoke or escalate)
          <textarea
            aria-label="Comment or reason"
            rows={2}
            value={text}
            onChange={(e) => setText(e.target.value)}
            className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm"
          />
        </label>
      )}
      <div className="flex flex-wrap gap-2">
        {buttons.map((b) => (
          <button
            key={b.verb}
            disabled={pending}
            onClick={() => run(b.verb)}
            className={`rounded-md px-3 py-1.5 text-sm font-medium disabled:opacity-50 ${tones[b.tone]}`}
          >
            {b.label.replace("…", "")}
          </button>
        ))}
      </div>
      {message && (
        <p role={message.ok ? "status" : "alert"} className={`mt-2 text-sm ${message.ok ? "text-emerald-700" : "text-rose-700"}`}>
          {message.text}
        </p>
      )}
    </div>
  );
}
