"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { Eligibility } from "@/lib/jit/eligibility";
import { api, type ApiError, formText } from "@/lib/http/client";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/card";
import { FieldMessages } from "@/components/ui/field-errors";
import { formatMinutes } from "@/components/ui/format";
import { RequestStatus, levelTone } from "./status";
import { Button } from "@/components/ui/button";

const PRESETS = [15, 30, 60, 120, 240, 480, 1440, 4320, 10080];

function Terms({ e }: { e: Eligibility }) {
  return (
    <ul className="mt-1 flex flex-wrap gap-x-3 gap-y-0.5 text-xs text-slate-600">
      <li>up to {formatMinutes(e.maxDurationMinutes)}</li>
      <li>
        {e.autoApprove
          ? "approved automatically"
          : `${e.approvalsRequired} approval${e.approvalsRequired > 1 ? "s" : ""}${e.approverMode === "entitlement_owner" ? " from the owner" : ""}`}
      </li>
      {e.requireTicket && <li>ticket required</li>}
      {e.breakGlass && <li>break-glass up to {formatMinutes(e.breakGlassMaxMinutes)}</li>}
    </ul>
  );
}

/** One request form: duration, start, justification, ticket, and break-glass where a policy allows it. */
function RequestForm({ e, onDone }: { e: Eligibility; onDone: (id: string, status: string) => void }) {
  const [breakGlass, setBreakGlass] = useState(false);
  const [when, setWhen] = useState<"now" | "later">("now");
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const max = breakGlass ? e.breakGlassMaxMinutes : e.maxDurationMinutes;
  const presets = PRESETS.filter((p) => p <= max);
  const [duration, setDuration] = useState(String(Math.min(e.defaultDurationMinutes, e.maxDurationMinutes)));
  const field = "mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm";
  const label = "block text-xs font-medium text-slate-600";

  function submit(ev: React.FormEvent<HTMLFormElement>) {
    ev.preventDefault();
    const f = new FormData(ev.currentTarget);
    const startAt = when === "later" && formText(f, "startAt") ? new Date(formText(f, "startAt")).toISOString() : undefined;
    const body = {
      entitlementId: e.entitlementId,
      durationMinutes: Number(duration),
      justification: formText(f, "justification").trim() || undefined,
      ticket: formText(f, "ticket").trim() || undefined,
      startAt: breakGlass ? undefined : startAt,
      breakGlass,
    };
    start(async () => {
      try {
        const created = await api<{ id: string; status: string }>("/api/v1/jit/requests", { body });
        setErrors({});
        setMessage(null);
        onDone(created.id, created.status);
      } catch (err) {
        const apiError = err as ApiError;
        setErrors(apiError.fieldErrors ?? {});
        setMessage(apiError.message);
      }
    });
  }

  return (
    <form
      noValidate
      onSubmit={submit}
      aria-label={`Request ${e.entitlementName}`}
      className="mt-3 grid gap-3 rounded-md border border-slate-200 bg-slate-50 p-3 md:grid-cols-2"
    >
      {e.breakGlass && (
        <label className="flex items-start gap-2 rounded-md border border-rose-200 bg-rose-50 p-2 text-sm text-rose-900 md:col-span-2">
          <input
            type="checkbox"
            checked={breakGlass}
            onChange={(x) => {
              setBreakGlass(x.target.checked);
              if (x.target.checked && Number(duration) > e.breakGlassMaxMinutes) setDuration(String(e.breakGlassMaxMinutes));
            }}
          />
          <span>
            <strong>Break-glass</strong>: activate now without approval, for an emergency only. Every approver is told at once and reviews the use afterwards.
          </span>
        </label>
      )}
      <div>
        <label className={label}>
          Duration in minutes (up to {formatMinutes(max)})
          <input name="durationMinutes" type="number" min={1} max={max} className={field} value={duration} onChange={(x) => setDuration(x.target.value)} />
        </label>
        <div className="mt-1 flex flex-wrap items-center gap-1 text-xs">
          {presets.map((p) => (
            <button
              key={p}
              type="button"
              onClick={() => setDuration(String(p))}
              className={`rounded border px-1.5 py-0.5 ${Number(duration) === p ? "border-brand-600 bg-brand-50 text-brand-700" : "border-slate-300 bg-white"}`}
            >
              {formatMinutes(p)}
            </button>
          ))}
          {Number(duration) > 0 && !presets.includes(Number(duration)) && <span className="text-slate-500">= {formatMinutes(Number(duration))}</span>}
        </div>
        <FieldMessages messages={errors.durationMinutes} />
      </div>
      {!breakGlass && (
        <fieldset>
          <legend className={label}>Start</legend>
          <div className="mt-1 flex items-center gap-3 text-sm">
            <label className="flex items-center gap-1">
              <input type="radio" name="when" checked={when === "now"} onChange={() => setWhen("now")} /> When approved
            </label>
            <label className="flex items-center gap-1">
              <input type="radio" name="when" checked={when === "later"} onChange={() => setWhen("later")} /> At
            </label>
            <input
              type="datetime-local"
              name="startAt"
              aria-label="Start at"
              disabled={when !== "later"}
              className="rounded-md border border-slate-300 px-2 py-1 text-sm disabled:opacity-40"
            />
          </div>
          <FieldMessages messages={errors.startAt} />
        </fieldset>
      )}
      <div className="md:col-span-2">
        <label className={label}>
          {breakGlass ? "What is the emergency?" : `Justification${e.requireJustification ? "" : " (optional)"}`}
          <textarea
            name="justification"
            rows={2}
            className={field}
            placeholder={breakGlass ? "Payments are down: …" : "What you will do, and why it needs this access"}
          />
        </label>
        <FieldMessages messages={errors.justification} />
      </div>
      <div>
        <label className={label}>
          Ticket{e.requireTicket && !breakGlass ? "" : " (optional)"}
          <input name="ticket" className={field} placeholder="INC-4211" />
        </label>
        <FieldMessages messages={errors.ticket} />
      </div>
      <div className="flex items-end justify-end gap-2">
        {message && !Object.keys(errors).length && (
          <p role="alert" className="mr-auto text-sm text-rose-700">
            {message}
          </p>
        )}
        <Button type="submit" variant={breakGlass ? "danger" : "primary"} pending={pending} pendingLabel="Sending…">
          {breakGlass ? "Activate break-glass" : e.autoApprove ? "Activate" : "Request"}
        </Button>
      </div>
    </form>
  );
}

/** What the caller may request, each with its terms, an open request if there is one, and the form to ask. */
export function EligibilityList({ eligibility }: { eligibility: Eligibility[] }) {
  const router = useRouter();
  const client = useQueryClient();
  const [open, setOpen] = useState<string | null>(null);
  const [sent, setSent] = useState<{ id: string; status: string; name: string } | null>(null);
  if (eligibility.length === 0) {
    return (
      <EmptyState title="You are not eligible for any just-in-time access.">
        An admin makes people and teams eligible in an eligibility policy, or converts standing privilege into eligibility.
      </EmptyState>
    );
  }
  return (
    <div className="space-y-2">
      {sent && (
        <p role="status" className="rounded-md bg-emerald-50 px-4 py-2 text-sm text-emerald-800">
          {sent.status === "pending" ? `Requested ${sent.name}: waiting for approval.` : `${sent.name} is ${sent.status}.`}{" "}
          <Link className="font-medium underline" href={`/access-requests/${sent.id}`}>
            Follow it
          </Link>
        </p>
      )}
      <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white shadow-sm" data-testid="eligibility">
        {eligibility.map((e) => (
          <li key={e.entitlementId} className="p-3">
            <div className="flex flex-wrap items-start justify-between gap-3">
              <div>
                <p className="font-medium">
                  {e.entitlementName} <span className="font-normal text-slate-500">in {e.systemName}</span>{" "}
                  <Badge tone={levelTone[e.privilegeLevel]}>{e.privilegeLevel}</Badge>
                </p>
                {e.entitlementDescription && <p className="text-sm text-slate-600">{e.entitlementDescription}</p>}
                <Terms e={e} />
              </div>
              {e.openRequest ? (
                <Link href={`/access-requests/${e.openRequest.id}`} className="flex items-center gap-2 text-sm text-brand-700 hover:underline">
                  <RequestStatus status={e.openRequest.status} /> open request
                </Link>
              ) : (
                <button
                  className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100"
                  aria-expanded={open === e.entitlementId}
                  onClick={() => setOpen(open === e.entitlementId ? null : e.entitlementId)}
                >
                  Request…
                </button>
              )}
            </div>
            {open === e.entitlementId && !e.openRequest && (
              <RequestForm
                e={e}
                onDone={(id, status) => {
                  setOpen(null);
                  setSent({ id, status, name: e.entitlementName });
                  void client.invalidateQueries({ queryKey: ["jit"] });
                  router.refresh();
                }}
              />
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
