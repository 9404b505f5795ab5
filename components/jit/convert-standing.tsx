"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { api, type ApiError } from "@/lib/http/client";

/** "Remove standing privilege" on one grant: it ends, and its holder becomes eligible to request it just in time. */
export function ConvertStanding({ grantId, label }: { grantId: string; label: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();
  return (
    <span className="inline-flex flex-col items-end">
      <button
        disabled={pending}
        title="End this standing grant and make its holder eligible to request it just in time"
        aria-label={`Remove standing privilege: ${label}`}
        className="rounded-md border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100 disabled:opacity-50"
        onClick={() =>
          start(async () => {
            try {
              await api("/api/v1/jit/convert", { body: { grantIds: [grantId] } });
              router.refresh();
            } catch (e) {
              setError((e as ApiError).message);
            }
          })
        }
      >
        {pending ? "Converting…" : "Make just-in-time"}
      </button>
      {error && (
        <span role="alert" className="text-xs text-rose-700">
          {error}
        </span>
      )}
    </span>
  );
}
