import type { IdentityDetail } from "@/lib/identities/detail";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { formatDateTime } from "@/components/ui/format";

/** The identity's latest recorded uses, refused ones marked. */
export function UsageCard({ d }: { d: IdentityDetail }) {
  return (
    <Card title="Recent usage">
      {d.recentUsage.length === 0 ? (
        <p className="text-sm text-slate-600">No usage recorded.</p>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm">
          {d.recentUsage.map((u) => (
            <li key={u.id} className="flex items-center justify-between gap-3 py-1.5">
              <span className="truncate">
                <span className="font-mono text-xs">{u.action}</span>
                {u.entitlementName && <span className="text-slate-500"> via {u.entitlementName}</span>}
              </span>
              <span className="flex shrink-0 items-center gap-2 text-slate-500">
                {u.outcome === "denied" && <Badge tone="red">denied</Badge>}
                {formatDateTime(u.occurredAt)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
