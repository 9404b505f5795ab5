import Link from "next/link";
import type { RequestRow } from "@/lib/jit/list";
import { Badge } from "@/components/ui/badge";
import { formatDateTime, formatMinutes, kindLabels, relative } from "@/components/ui/format";
import { RequestStatus, levelTone } from "./status";
import { Table, THead, Th, TBody } from "@/components/ui/table";

type Row = Omit<RequestRow, "context">;

/** When the access is (or was) usable, in words that fit its status. */
export function WindowText({ r }: { r: Pick<Row, "status" | "startsAt" | "expiresAt" | "pendingUntil" | "durationMinutes" | "requestedStartAt" | "endedAt"> }) {
  if (r.status === "pending")
    return (
      <span>
        {formatMinutes(r.durationMinutes)}
        {r.requestedStartAt ? ` from ${formatDateTime(r.requestedStartAt)}` : ""}; decision due {relative(r.pendingUntil)}
      </span>
    );
  if (r.status === "active") return <span className="font-medium text-emerald-700">expires {relative(r.expiresAt)}</span>;
  if (r.status === "approved")
    return (
      <span>
        starts {relative(r.startsAt)}, for {formatMinutes(r.durationMinutes)}
      </span>
    );
  if (r.startsAt)
    return (
      <span>
        {formatDateTime(r.startsAt)} – {formatDateTime(r.endedAt ?? r.expiresAt)}
      </span>
    );
  return <span className="text-slate-500">{formatMinutes(r.durationMinutes)} asked</span>;
}

/** Requests as a table; `actions` renders per-row buttons where the caller may act. */
export function RequestTable({ rows, actions, showIdentity = true }: { rows: Row[]; actions?: (r: Row) => React.ReactNode; showIdentity?: boolean }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
      <Table data-testid="request-table">
        <THead>
          {showIdentity && <Th>Identity</Th>}
          <Th>Access</Th>
          <Th>Status</Th>
          <Th>Window</Th>
          <Th>Approvals</Th>
          <Th>Asked</Th>
          {actions && <Th align="right">Actions</Th>}
        </THead>
        <TBody>
          {rows.map((r) => (
            <tr key={r.id} data-testid={`request-${r.id}`}>
              {showIdentity && (
                <td className="px-3 py-2">
                  <Link className="font-medium text-brand-700 hover:underline" href={`/identities/${r.identityId}`}>
                    {r.identityName}
                  </Link>
                  <div className="text-xs text-slate-500">{kindLabels[r.identityKind]}</div>
                </td>
              )}
              <td className="px-3 py-2">
                <Link className="font-medium text-brand-700 hover:underline" href={`/access-requests/${r.id}`}>
                  {r.entitlementName}
                </Link>{" "}
                <Badge tone={levelTone[r.privilegeLevel]}>{r.privilegeLevel}</Badge>
                <div className="text-xs text-slate-500">
                  {r.systemName}
                  {r.ticket && ` · ${r.ticket}`}
                </div>
              </td>
              <td className="px-3 py-2">
                <RequestStatus status={r.status} breakGlass={r.breakGlass} />
              </td>
              <td className="px-3 py-2 text-xs">
                <WindowText r={r} />
              </td>
              <td className="px-3 py-2 tabular-nums">
                {r.breakGlass ? "—" : `${r.approvals} of ${r.approvalsRequired}`}
                {r.denials > 0 && <span className="ml-1 text-rose-700">({r.denials} denied)</span>}
              </td>
              <td className="px-3 py-2 text-xs text-slate-600">{relative(r.createdAt)}</td>
              {actions && <td className="px-3 py-2 text-right">{actions(r)}</td>}
            </tr>
          ))}
        </TBody>
      </Table>
    </div>
  );
}
