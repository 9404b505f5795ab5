import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { NotFoundError } from "@/lib/errors";
import { getIdentityDetail, type IdentityDetail } from "@/lib/identities/detail";
import { listActivePeople } from "@/lib/identities/list";
import { hasRole } from "@/lib/caller";
import { identityReconciliation } from "@/lib/reconciliation/identity-risk";
import { IdentityEditForm } from "@/components/identities/identity-edit-form";
import { escalationOf } from "@/lib/escalation/read";
import { AWS_IAM_SOURCE } from "@/lib/permissions/aws/source";
import { K8S_RBAC_SOURCE } from "@/lib/ingest/k8s/rbac-import";
import { CanBecome } from "@/components/escalation/can-become";
import { IdentityRiskCard } from "@/components/reconciliation/identity-risk-card";
import { LifecycleTimeline } from "@/components/identities/lifecycle-timeline";
import { OffboardButton } from "@/components/identities/offboard-button";
import { mayMarkRotated, openTasksOf } from "@/lib/credentials/rotation";
import { lifecycleTimeline } from "@/lib/lifecycle/timeline";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { formatDate, kindLabels } from "@/components/ui/format";
import { CredentialsCard } from "@/components/identities/detail/credentials-card";
import { GovernanceCard } from "@/components/identities/detail/governance-card";
import { GrantsCard } from "@/components/identities/detail/grants-card";
import { HistoryCard } from "@/components/identities/detail/history-card";
import { Relations } from "@/components/identities/detail/relations";
import { UsageCard } from "@/components/identities/detail/usage-card";

export const metadata = { title: "Identity" };

export default async function IdentityPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const caller = await requireCaller();
  const db = await getDb();
  let d: IdentityDetail;
  try {
    d = await getIdentityDetail(db, caller, id);
  } catch (e) {
    if (e instanceof NotFoundError) notFound();
    throw e;
  }
  const i = d.identity;
  const human = i.kind === "human";
  const admin = hasRole(caller, "admin");
  const [people, reconciliation, timeline, tasks, escalation] = await Promise.all([
    d.canEdit.length > 0 ? listActivePeople(db) : Promise.resolve([]),
    identityReconciliation(db, caller, id),
    lifecycleTimeline(db, caller, id),
    openTasksOf(db, id),
    escalationOf(db, caller, id),
  ]);
  // Imported AWS principals and Kubernetes service accounts are analysed (people too, once bound in a cluster);
  // for everyone else the panel would only say "not analysed".
  const source = (i.attributes as { source?: string } | null)?.source;
  const analysable = escalation.computedAt !== null || source === AWS_IAM_SOURCE || source === K8S_RBAC_SOURCE;
  const canRotate = mayMarkRotated(caller, i);
  const editValues = {
    purpose: i.purpose ?? "",
    ownerId: i.ownerId ?? "",
    backupOwnerId: i.backupOwnerId ?? "",
    managerId: i.managerId ?? "",
    title: i.title ?? "",
    nextAttestationAt: i.nextAttestationAt ? new Date(i.nextAttestationAt).toISOString().slice(0, 10) : "",
  };

  return (
    <>
      <div className="mb-6">
        <Link href="/identities" className="text-sm text-brand-700 hover:underline">
          ← Identities
        </Link>
        <div className="mt-2 flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight">{human ? i.displayName : i.name}</h1>
          <Badge tone="blue">{kindLabels[i.kind]}</Badge>
          <Badge tone={i.status === "active" ? "green" : "amber"}>{i.status}</Badge>
          {d.orphaned && <Badge tone="red">Orphaned</Badge>}
          {(escalation.holdsAdmin || escalation.reachesAdmin) && (
            <a href="#can-become">
              <Badge tone="red" title="From the escalation analysis: see Can become">
                {escalation.holdsAdmin ? "holds admin" : escalation.conditional ? "may escalate to admin" : "can escalate to admin"}
              </Badge>
            </a>
          )}
          {i.rehomedAt && (
            <Badge tone="amber" title="Its owner left; the new owner confirms it by attesting">
              re-homed {formatDate(i.rehomedAt)}, awaiting attestation
            </Badge>
          )}
          {human && admin && i.status === "active" && i.id !== caller.identityId && (
            <span className="ml-auto">
              <OffboardButton personId={i.id} name={i.displayName} />
            </span>
          )}
        </div>
        {i.externalId && <p className="mt-1 font-mono text-xs text-slate-500">{i.externalId}</p>}
      </div>

      <div className="grid gap-6 lg:grid-cols-3">
        <GovernanceCard d={d} />
        <Card title={d.canEdit.length ? "Edit" : "Changes"}>
          {d.canEdit.length ? (
            <IdentityEditForm identityId={i.id} fields={d.canEdit as never} values={editValues} people={people} />
          ) : (
            <p className="text-sm text-slate-600">You can view this identity but not change it.</p>
          )}
        </Card>
      </div>

      {analysable && <CanBecome e={escalation} />}

      <GrantsCard d={d} admin={admin} />

      <IdentityRiskCard identityId={i.id} data={reconciliation} />

      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        <CredentialsCard d={d} tasks={tasks} canRotate={canRotate} />
        <UsageCard d={d} />
      </div>

      <Relations d={d} />

      <Card title="Lifecycle" className="mt-6">
        <LifecycleTimeline events={timeline} />
      </Card>

      <HistoryCard d={d} />
    </>
  );
}
