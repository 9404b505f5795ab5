"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { api, errorText } from "@/lib/http/client";

/** Records that a person left, when the identity provider has not: every access ends and what they owned moves on. */
export function OffboardButton({ personId, name }: { personId: string; name: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();
  if (!open) {
    return (
      <button className="rounded-md border border-rose-300 bg-white px-3 py-1.5 text-sm text-rose-700 hover:bg-rose-50" onClick={() => setOpen(true)}>
        Offboard…
      </button>
    );
  }
  return (
    <div className="w-full max-w-xl rounded-md border border-rose-200 bg-rose-50 p-3 text-sm" role="group" aria-label={`Offboard ${name}`}>
      <p className="text-rose-900">
        Ends every grant, eligibility and open JIT window of {name}, cancels their requests, moves their reviews to the fallback reviewers and hands their NHIs
        to the backup owners (or their manager) with an attestation due now.
      </p>
      <label className="mt-2 block text-xs font-medium text-slate-700">
        Why
        <input
          aria-label="Why is the person offboarded"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          className="mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
        />
      </label>
      {error && (
        <p role="alert" className="mt-1 text-rose-700">
          {error}
        </p>
      )}
      <div className="mt-2 flex gap-2">
        <button
          disabled={pending}
          className="rounded-md bg-rose-700 px-3 py-1.5 font-medium text-white disabled:opacity-50"
          onClick={() =>
            start(async () => {
              try {
                await api(`/api/v1/identities/${personId}/offboard`, { body: { reason } });
                setOpen(false);
                router.refresh();
              } catch (e) {
                setError(errorText(e));
              }
            })
          }
        >
          {pending ? "Offboarding…" : "Offboard now"}
        </button>
        <button className="rounded-md border border-slate-300 bg-white px-3 py-1.5" onClick={() => setOpen(false)}>
          Keep
        </button>
      </div>
    </div>
  );
}
