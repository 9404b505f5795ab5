"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { api, type ApiError } from "@/lib/http/client";

/**
 * The owner says the work was done where the secret lives: rotated (its age
 * starts over) or revoked (it can no longer be used); its open tasks are done.
 */
export function CredentialDoneButton({ credentialId, label, done }: { credentialId: string; label: string; done: "rotated" | "revoked" }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();
  return (
    <span className="inline-flex flex-col items-end">
      <button
        disabled={pending}
        aria-label={`Mark ${label} ${done}`}
        className="rounded-md border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100 disabled:opacity-50"
        onClick={() =>
          start(async () => {
            try {
              await api(`/api/v1/credentials/${credentialId}/${done}`, { body: {} });
              router.refresh();
            } catch (e) {
              setError((e as ApiError).message);
            }
          })
        }
      >
        {pending ? "Saving…" : `Mark ${done}`}
      </button>
      {error && (
        <span role="alert" className="text-xs text-rose-700">
          {error}
        </span>
      )}
    </span>
  );
}
