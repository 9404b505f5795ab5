"use client";

import { useState } from "react";
import { ActionButton } from "@/components/ui/action-button";
import { Button } from "@/components/ui/button";
import { api } from "@/lib/http/client";

/** Records that a person left, when the identity provider has not: every access ends and what they owned moves on. */
export function OffboardButton({ personId, name }: { personId: string; name: string }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  if (!open) {
    return (
      <Button variant="danger-outline" onClick={() => setOpen(true)}>
        Offboard…
      </Button>
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
      <div className="mt-2 flex items-start gap-2">
        <ActionButton
          variant="danger"
          align="start"
          pendingLabel="Offboarding…"
          action={() => api(`/api/v1/identities/${personId}/offboard`, { body: { reason } })}
          onDone={() => setOpen(false)}
        >
          Offboard now
        </ActionButton>
        <Button onClick={() => setOpen(false)}>Keep</Button>
      </div>
    </div>
  );
}
