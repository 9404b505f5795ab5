import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/caller";
import { NotFoundError } from "@/lib/errors";
import { getPolicy, policyFormOptions } from "@/lib/jit/policies";
import { NamedEligibility, RetirePolicy, StandingGrants } from "@/components/jit/policy-members";
import { PolicyForm } from "@/components/jit/policy-form";
import { levelTone } from "@/components/jit/status";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Forbidden } from "@/components/ui/forbidden";
import { formatDate, formatMinutes } from "@/components/ui/format";

export const metadata = { title: "Eligibility policy" };

export default async function PolicyPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const caller = await requireCaller();
  if (!hasRole(caller, "admin", "auditor", "approver")) return <Forbidden what="eligibility policies" />;
  const db = await getDb();
  let d: Awaited<ReturnType<typeof getPolicy>>;
  try {
    d = await getPolicy(db, caller, id);
  } catch (e) {
    if (e instanceof NotFoundError) notFound();
    throw e;
  }
  const p = d.policy;
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h2 className="text-lg font-semibold">{p.name}</h2>
          <p className="text-sm text-slate-600">
            {d.entitlementName} in {d.systemName} <Badge tone={levelTone[d.privilegeLevel]}>{d.privilegeLevel}</Badge> · up to{" "}
            {formatMinutes(p.maxDurationMinutes)} · {d.requests} requests so far
            {p.archivedAt && ` · retired ${formatDate(p.archivedAt)}`}
          </p>
          {p.description && <p className="mt-1 text-sm">{p.description}</p>}
        </div>
        {d.canEdit && <RetirePolicy policyId={p.id} />}
      </div>
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title={`Eligible by name (${d.named.length})${d.teams.length ? ` and by team: ${d.teams.map((t) => t.name).join(", ")}` : ""}`}>
          <NamedEligibility policyId={p.id} members={d.named} canEdit={d.canEdit} />
        </Card>
        <Card title={`Standing grants of this access (${d.standing.length})`}>
          <StandingGrants policyId={p.id} grants={d.standing} canEdit={d.canEdit && hasRole(caller, "admin")} />
        </Card>
      </div>
      {d.canEdit && (
        <section>
          <h3 className="mb-2 text-sm font-semibold text-slate-700">Terms</h3>
          <PolicyForm options={await policyFormOptions(db)} policy={p} />
        </section>
      )}
    </div>
  );
}
