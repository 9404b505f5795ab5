import Link from "next/link";
import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/caller";
import { listPolicies } from "@/lib/jit/policies";
import { levelTone } from "@/components/jit/status";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/card";
import { Forbidden } from "@/components/ui/forbidden";
import { formatMinutes } from "@/components/ui/format";
import { Table, THead, Th, TBody } from "@/components/ui/table";
import { buttonClass } from "@/components/ui/button";

export const metadata = { title: "Eligibility policies" };

export default async function PoliciesPage({ searchParams }: { searchParams: Promise<{ archived?: string }> }) {
  const caller = await requireCaller();
  if (!hasRole(caller, "admin", "auditor", "approver")) return <Forbidden what="eligibility policies" />;
  const { archived } = await searchParams;
  const policies = await listPolicies(await getDb(), caller, { includeArchived: archived === "1" });
  return (
    <div>
      <div className="mb-3 flex items-center justify-between gap-3">
        <p className="text-sm text-slate-600">Who may request which privileged access just in time, for how long, approved by whom.</p>
        <div className="flex gap-2">
          <Link
            href={archived === "1" ? "/access-requests/policies" : "/access-requests/policies?archived=1"}
            className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100"
          >
            {archived === "1" ? "Hide retired" : "Show retired"}
          </Link>
          {hasRole(caller, "admin") && (
            <Link href="/access-requests/policies/new" className={buttonClass("primary")}>
              New policy
            </Link>
          )}
        </div>
      </div>
      {policies.length === 0 ? (
        <EmptyState title="No eligibility policies yet.">
          Create one, or remove standing privilege from an identity page: its holder becomes eligible under a default policy.
        </EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
          <Table data-testid="policy-table">
            <THead>
              <Th>Policy</Th>
              <Th>Access</Th>
              <Th>Eligible</Th>
              <Th>Approval</Th>
              <Th>Window</Th>
              <Th align="right">Requests, 30 d</Th>
            </THead>
            <TBody>
              {policies.map(({ policy: p, ...r }) => (
                <tr key={p.id} className={p.archivedAt ? "opacity-60" : ""}>
                  <td className="px-3 py-2">
                    <Link className="font-medium text-brand-700 hover:underline" href={`/access-requests/policies/${p.id}`}>
                      {p.name}
                    </Link>
                    {p.archivedAt && <Badge>retired</Badge>}
                  </td>
                  <td className="px-3 py-2">
                    {r.entitlementName} <span className="text-xs text-slate-500">in {r.systemName}</span>{" "}
                    <Badge tone={levelTone[r.privilegeLevel]}>{r.privilegeLevel}</Badge>
                  </td>
                  <td className="px-3 py-2 text-xs">
                    {[...r.teams.map((t) => `team ${t}`), r.namedEligible ? `${r.namedEligible} named` : ""].filter(Boolean).join(", ") || "nobody yet"}
                  </td>
                  <td className="px-3 py-2 text-xs">
                    {p.autoApproveAll
                      ? "automatic"
                      : `${p.approvalsRequired} × ${p.approverMode === "entitlement_owner" ? "owner" : p.approverMode === "named" ? "named" : "approver group"}`}
                    {r.autoApproveTeams.length > 0 && <div className="text-slate-500">auto: {r.autoApproveTeams.join(", ")}</div>}
                  </td>
                  <td className="px-3 py-2 text-xs">
                    up to {formatMinutes(p.maxDurationMinutes)}
                    {p.breakGlass && (
                      <div>
                        <Badge tone="red">break-glass {formatMinutes(p.breakGlassMaxMinutes)}</Badge>
                      </div>
                    )}
                    {p.activation !== "membership" && (
                      <div>
                        <Badge tone="blue">{p.activation === "both" ? "membership + own credential" : "own short-lived credential"}</Badge>
                      </div>
                    )}
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums">{r.requests30d}</td>
                </tr>
              ))}
            </TBody>
          </Table>
        </div>
      )}
    </div>
  );
}
