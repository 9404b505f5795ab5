"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { listRequests } from "@/lib/jit/list";
import { api, type ApiError } from "@/lib/http/client";
import { EmptyState } from "@/components/ui/card";
import { RequestTable } from "./request-table";

type Page = Awaited<ReturnType<typeof listRequests>>;
const OPEN = ["pending", "approved", "active"];
const KEY = ["jit", "mine"];

/**
 * The caller's requests, live: polled every few seconds while one is open, so
 * an approval, an activation or an expiry shows without a reload. Release and
 * cancel update the row at once and roll back if the server refuses.
 */
export function MyRequests({ initial }: { initial: Page }) {
  const router = useRouter();
  const client = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const query = useQuery({
    queryKey: KEY,
    queryFn: () => api<Page>("/api/v1/jit/requests?scope=mine&pageSize=25"),
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.rows.some((r) => OPEN.includes(r.status)) ? 3_000 : 30_000),
  });
  const act = useMutation({
    mutationFn: ({ id, verb }: { id: string; verb: "release" | "cancel" }) => api(`/api/v1/jit/requests/${id}/${verb}`, { body: {} }),
    onMutate: async ({ id, verb }) => {
      setError(null);
      await client.cancelQueries({ queryKey: KEY });
      const previous = client.getQueryData<Page>(KEY);
      client.setQueryData<Page>(
        KEY,
        (old) =>
          old && {
            ...old,
            rows: old.rows.map((r) => (r.id === id ? { ...r, status: verb === "release" ? "released" : "cancelled", endedAt: new Date() } : r)),
          },
      );
      return { previous };
    },
    onError: (e, _v, context) => {
      client.setQueryData(KEY, context?.previous);
      setError((e as ApiError).message);
    },
    onSettled: () => {
      void client.invalidateQueries({ queryKey: ["jit"] });
      router.refresh();
    },
  });
  const rows = query.data?.rows ?? [];
  if (rows.length === 0)
    return <EmptyState title="No requests yet.">Request access above; its status shows here as it is approved, becomes active and ends.</EmptyState>;
  const button = "rounded-md border border-slate-300 bg-white px-2 py-1 text-xs font-medium hover:bg-slate-100";
  return (
    <div>
      {error && (
        <p role="alert" className="mb-2 rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">
          {error}
        </p>
      )}
      <RequestTable
        rows={rows}
        showIdentity={rows.some((r) => r.identityKind !== "human")}
        actions={(r) =>
          r.status === "pending" ? (
            <button className={button} onClick={() => act.mutate({ id: r.id, verb: "cancel" })}>
              Cancel
            </button>
          ) : r.status === "active" || r.status === "approved" ? (
            <button className={button} onClick={() => act.mutate({ id: r.id, verb: "release" })}>
              Release now
            </button>
          ) : null
        }
      />
    </div>
  );
}
