"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { ConnectorKind } from "@/db/schema";
import { connectorDescriptors } from "@/lib/connectors/kinds";
import { api, type ApiError } from "@/lib/http/client";

function useAction() {
  const router = useRouter();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();
  const run = <R,>(url: string, init: { method?: string; body?: unknown }, done: (r: R) => string) =>
    start(async () => {
      try {
        setMessage({ ok: true, text: done(await api<R>(url, init)) });
        router.refresh();
      } catch (e) {
        setMessage({ ok: false, text: (e as ApiError).message });
      }
    });
  return { run, pending, message };
}

/** Check the target now, and enable or disable the connector. */
export function ConnectorActions({ id, kind, enabled }: { id: string; kind: ConnectorKind; enabled: boolean }) {
  const { run, pending, message } = useAction();
  const button = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100 disabled:opacity-50";
  return (
    <div className="flex flex-col items-end gap-1">
      <div className="flex gap-2">
        {connectorDescriptors[kind].readsState && (
          <button
            disabled={pending}
            className={button}
            onClick={() =>
              run(
                `/api/v1/connectors/${id}/check`,
                { body: {} },
                (r: { checked: number; unapproved: number; missing: number }) =>
                  `Read ${r.checked} memberships: ${r.unapproved} without approval, ${r.missing} missing.`,
              )
            }
          >
            Check target now
          </button>
        )}
        <button
          disabled={pending}
          className={button}
          onClick={() => run(`/api/v1/connectors/${id}`, { method: "PATCH", body: { enabled: !enabled } }, () => (enabled ? "Disabled." : "Enabled."))}
        >
          {enabled ? "Disable" : "Enable"}
        </button>
      </div>
      {message && (
        <p role={message.ok ? "status" : "alert"} className={`text-sm ${message.ok ? "text-emerald-700" : "text-rose-700"}`}>
          {message.text}
        </p>
      )}
    </div>
  );
}

/** Send a failed or dead-lettered delivery again. */
export function RedeliverButton({ id }: { id: string }) {
  const { run, pending, message } = useAction();
  return (
    <span className="inline-flex flex-col items-end">
      <button
        disabled={pending}
        className="rounded-md border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100 disabled:opacity-50"
        onClick={() => run(`/api/v1/connector-deliveries/${id}/redeliver`, { body: {} }, () => "Queued again.")}
      >
        Redeliver
      </button>
      {message && <span className={`text-xs ${message.ok ? "text-emerald-700" : "text-rose-700"}`}>{message.text}</span>}
    </span>
  );
}
