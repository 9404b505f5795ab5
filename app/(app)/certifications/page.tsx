import Link from "next/link";
import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/caller";
import { listCampaigns } from "@/lib/certification/campaigns";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/card";
import { formatDate } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";
import { Table, THead, Th, TBody } from "@/components/ui/table";

export const metadata = { title: "Certifications" };

export default async function CertificationsPage() {
  const caller = await requireCaller();
  const campaigns = await listCampaigns(await getDb(), caller);
  return (
    <>
      <PageHeader
        title="Certifications"
        description="Campaigns in which owners, managers and reviewers certify or revoke access, with usage evidence."
        actions={
          <div className="flex gap-2">
            <Link href="/certifications/reviews" className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium hover:bg-slate-100">
              My reviews
            </Link>
            {hasRole(caller, "admin") && (
              <Link href="/certifications/new" className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">
                New campaign
              </Link>
            )}
          </div>
        }
      />
      {campaigns.length === 0 ? (
        <EmptyState title="No campaigns yet.">
          {hasRole(caller, "admin")
            ? "Create one to review access in a system, for privileged access, or for unused access."
            : "When a campaign assigns you reviews, it shows here."}
        </EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
          <Table data-testid="campaign-table">
            <THead>
              <Th>Campaign</Th>
              <Th>Status</Th>
              <Th>Due</Th>
              <Th align="right">Decided</Th>
            </THead>
            <TBody>
              {campaigns.map((c) => (
                <tr key={c.id}>
                  <td className="px-3 py-2">
                    <Link href={`/certifications/${c.id}`} className="font-medium text-brand-700 hover:underline">
                      {c.name}
                    </Link>
                    {c.recurrence !== "none" && <span className="ml-2 text-xs text-slate-500">{c.recurrence.replace("_", "-")}</span>}
                  </td>
                  <td className="px-3 py-2">
                    <Badge tone={c.status === "active" ? "green" : c.status === "draft" ? "blue" : "neutral"}>{c.status}</Badge>
                  </td>
                  <td className="px-3 py-2">{formatDate(c.dueAt)}</td>
                  <td className="px-3 py-2 text-right tabular-nums">
                    {c.decided} / {c.total}
                  </td>
                </tr>
              ))}
            </TBody>
          </Table>
        </div>
      )}
    </>
  );
}
