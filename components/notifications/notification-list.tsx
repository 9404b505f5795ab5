"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { EmptyState } from "@/components/ui/card";
import { relative } from "@/components/ui/format";
import { api } from "@/lib/http/client";

type Notice = { id: string; kind: string; title: string; body: string | null; link: string | null; createdAt: string; readAt: string | null };
type Inbox = { rows: Notice[]; total: number; unread: number; page: number; pageCount: number };

const fetchInbox = (unreadOnly: boolean) => api<Inbox>(`/api/v1/notifications?pageSize=100${unreadOnly ? "&unread=1" : ""}`);
const postRead = (input: { ids: string[] } | { all: true }) => api("/api/v1/notifications/read", { body: input });

export function NotificationList({ initial }: { initial: Inbox }) {
  const router = useRouter();
  const client = useQueryClient();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const query = useQuery({ queryKey: ["notifications", unreadOnly], queryFn: () => fetchInbox(unreadOnly), initialData: unreadOnly ? undefined : initial });
  const read = useMutation({
    mutationFn: postRead,
    onSettled: () => {
      void client.invalidateQueries({ queryKey: ["notifications"] });
      router.refresh(); // the bell's count lives in the server-rendered header
    },
  });
  const data = query.data;
  return (
    <div>
      <div className="mb-4 flex items-center gap-4">
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.target.checked)} /> Unread only
        </label>
        <button
          className="rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100 disabled:opacity-40"
          disabled={!data?.unread || read.isPending}
          onClick={() => read.mutate({ all: true })}
        >
          Mark all read
        </button>
        {read.error && (
          <p role="alert" className="text-sm text-rose-700">
            {read.error.message}
          </p>
        )}
      </div>
      {data && data.rows.length === 0 ? (
        <EmptyState title={unreadOnly ? "Nothing unread." : "No notifications yet."}>Reminders, approvals and escalations for you will appear here.</EmptyState>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white shadow-sm" data-testid="notification-list">
          {data?.rows.map((n) => (
            <li key={n.id} className={`flex items-start gap-3 px-4 py-3 ${n.readAt ? "" : "bg-brand-50/50"}`}>
              <span aria-hidden className={`mt-1.5 h-2 w-2 shrink-0 rounded-full ${n.readAt ? "bg-transparent" : "bg-brand-600"}`} />
              <div className="min-w-0 flex-1">
                <div className="text-sm font-medium">
                  {n.link ? (
                    <Link href={n.link} className="text-brand-700 hover:underline" onClick={() => !n.readAt && read.mutate({ ids: [n.id] })}>
                      {n.title}
                    </Link>
                  ) : (
                    n.title
                  )}
                </div>
                {n.body && <p className="text-sm text-slate-600">{n.body}</p>}
                <p className="text-xs text-slate-500">{relative(n.createdAt)}</p>
              </div>
              {!n.readAt && (
                <button className="text-xs text-slate-500 hover:underline" onClick={() => read.mutate({ ids: [n.id] })}>
                  Mark read
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
