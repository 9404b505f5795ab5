"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { ActionButton } from "@/components/ui/action-button";
import { api } from "@/lib/http/client";

/**
 * Queues a reconciliation pass (admins). The pass runs as a background job;
 * the page and the findings lists refresh a few times while it finishes.
 */
export function RunReconciliationButton({ align = "end" }: { align?: "center" | "end" }) {
  const router = useRouter();
  const client = useQueryClient();
  const [refreshes, setRefreshes] = useState(0);
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
    <ActionButton
      variant="primary"
      align={align}
      pendingLabel="Queuing…"
      refresh={false}
      action={() => api<{ queued: boolean }>("/api/v1/reconciliation/run", { method: "POST" })}
      done={(r) => (r.queued ? "Queued: figures and findings update in a few seconds." : "A pass was queued moments ago; it is on its way.")}
      onDone={() => setRefreshes(4)}
    >
      Run reconciliation now
    </ActionButton>
  );
}
