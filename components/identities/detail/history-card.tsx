import type { IdentityDetail } from "@/lib/identities/detail";
import { Card } from "@/components/ui/card";
import { formatDateTime } from "@/components/ui/format";

/** The audit log's changes to this identity, newest first. */
export function HistoryCard({ d }: { d: IdentityDetail }) {
  return (
    <Card title="History" className="mt-6">
      {d.history.length === 0 ? (
        <p className="text-sm text-slate-600">No recorded changes.</p>
      ) : (
        <ol className="space-y-2 text-sm" data-testid="identity-history">
          {d.history.map((h) => (
            <li key={h.id} className="flex gap-3">
              <span className="w-40 shrink-0 text-slate-500">{formatDateTime(h.occurredAt)}</span>
              <span>
                <span className="font-mono text-xs">{h.action}</span> by {h.actorLabel}
                {h.after != null && <span className="ml-2 font-mono text-xs text-slate-500">{JSON.stringify(h.after).slice(0, 160)}</span>}
              </span>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
