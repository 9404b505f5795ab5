"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { api, type ApiError } from "@/lib/http/client";

/**
 * Queues a reconciliation pass (admins). The pass runs as a background job;
 * the page and the findings lists refresh a few times while it finishes.
 */
export function RunReconciliationButton({ className = "" }: { className?: string }) {
  const router = useRouter();
  const client = useQueryClient();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [refreshes, setRefreshes] = useState(0);
  const run = useMutation({
    mutationFn: () => api<{ queued: boolean }>("/api/v1/reconciliation/run", { method: "POST" }),
    onMutate: () => setMessage(null),
    onSuccess: (r) => {
      setMessage({ ok: true, text: r.queued ? "Queued: figures and findings update in a few seconds." : "A pass was queued moments ago; it is on its way." });
      setRefreshes(4);
    },
    onError: (e) => setMessage({ ok: false, text: (e as ApiError).message }),
  });
  useEffect(() => {
    if (refreshes === 0) return;
    const t = setTimeout(() => {
      router.refresh();
      void client.invalidateQueries({ queryKey: ["findings"] });
      setRefreshes((n) => n - 1);
    }, 4000);
    return () => clearTimeout(t);
  }, [refreshes, router, client]);
  return (
    <span className={`inline-flex flex-col items-end gap-1 ${className}`}>
      <button
        type="button"
        className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-50"
        disabled={run.isPending}
        onClick={() => run.mutate()}
      >
        {run.isPending ? "Queuing…" : "Run reconciliation now"}
      </button>
      {message && (
        <span role={message.ok ? "status" : "alert"} className={`text-xs ${message.ok ? "text-emerald-700" : "text-rose-700"}`}>
          {message.text}
        </span>
      )}
    </span>
  );
}
