import Link from "next/link";
import type { RiskDashboard } from "@/lib/reconciliation/dashboard";
import { findingsHref } from "@/components/reconciliation/labels";
import { kindLabels } from "@/components/ui/format";
import { RiskTile } from "./risk-tile";

const fmt = (n: number) => n.toLocaleString("en");
const kindName = (kind: string) => (kind === "human" ? "People" : (kindLabels[kind] ?? kind));
const identitiesHref = (kind?: string) => `/identities?level=reaches_admin${kind ? `&kind=${kind}` : ""}`;

/**
 * Who can reach administrator access, holding it or by escalation, for people
 * and each kind of NHI; each kind links to those identities, and (for those
 * who read findings) its escalations to their findings. Before any analysis
 * it says so instead of showing a zero.
 */
export function ReachAdminTile({ reach, delta, readsFindings }: { reach: RiskDashboard["reachAdmin"]; delta: number | null; readsFindings: boolean }) {
  if (!reach)
    return (
      <RiskTile
        testId="tile-reach-admin"
        label="Can reach administrator"
        value={<span className="text-lg font-medium text-slate-500">Not analysed</span>}
        hint="No AWS identities have been analysed yet: the escalation analysis runs after each AWS IAM import (gov import aws-iam), so nobody is counted here until then."
      />
    );
  const rows = reach.byKind.some((r) => r.kind === "human") ? reach.byKind : [{ kind: "human", holds: 0, escalates: 0, total: 0 }, ...reach.byKind];
  return (
    <RiskTile
      testId="tile-reach-admin"
      label="Can reach administrator"
      value={fmt(reach.total)}
      delta={delta}
      href={identitiesHref()}
      hint={
        <>
          {fmt(reach.holds)} hold it, {fmt(reach.escalates)} can escalate to it{reach.conditional ? ` (${fmt(reach.conditional)} only under conditions)` : ""};
          of {fmt(reach.analysed)} AWS identities analysed
        </>
      }
    >
      <table className="w-full text-sm" data-testid="reach-admin-by-kind">
        <thead className="text-left text-xs text-slate-500">
          <tr>
            <th className="py-1 font-normal">
              <span className="sr-only">Kind</span>
            </th>
            <th className="py-1 text-right font-normal">hold</th>
            <th className="py-1 text-right font-normal">escalate</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={r.kind} data-testid={`reach-admin-${r.kind}`}>
              <td className="py-1">
                <Link href={identitiesHref(r.kind)} className="text-brand-700 hover:underline">
                  {kindName(r.kind)}
                </Link>
              </td>
              <td className="py-1 text-right tabular-nums">{fmt(r.holds)}</td>
              <td className="py-1 text-right tabular-nums">
                {readsFindings && r.escalates > 0 ? (
                  <Link
                    href={findingsHref({ kind: "escalation_to_admin", identityKind: r.kind })}
                    className="text-brand-700 hover:underline"
                    title={`The escalation findings of ${kindName(r.kind).toLowerCase()}`}
                  >
                    {fmt(r.escalates)}
                  </Link>
                ) : (
                  fmt(r.escalates)
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </RiskTile>
  );
}
