import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { NotFoundError } from "@/lib/errors";
import { getIdentityDetail, type IdentityDetail } from "@/lib/identities/detail";
import { listActivePeople } from "@/lib/identities/list";
import { hasRole } from "@/lib/auth/caller";
import { identityReconciliation } from "@/lib/reconciliation/identity-risk";
import { IdentityEditForm } from "@/components/identities/identity-edit-form";
import { ConvertStanding } from "@/components/jit/convert-standing";
import { escalationOf } from "@/lib/escalation/read";
import { IMPORT_SOURCE } from "@/lib/ingest/import-aws-iam";
import { CanBecome } from "@/components/escalation/can-become";
import { IdentityRiskCard } from "@/components/reconciliation/identity-risk-card";
import { CredentialDoneButton } from "@/components/credentials/credential-done-button";
import { CredentialTaskBadges } from "@/components/credentials/task-badges";
import { LifecycleTimeline } from "@/components/identities/lifecycle-timeline";
import { OffboardButton } from "@/components/identities/offboard-button";
import { mayMarkRotated, openTasksOf } from "@/lib/credentials/rotation";
import { lifecycleTimeline } from "@/lib/lifecycle/timeline";
import { Badge, type Tone } from "@/components/ui/badge";
import { Field } from "@/components/ui/field";
import { GrantDecisions } from "@/components/identities/grant-decisions";
import { Card, EmptyState } from "@/components/ui/card";
import { ageInDays, formatDate, formatDateTime, kindLabels, relative } from "@/components/ui/format";
import { Table, THead, Th, TBody } from "@/components/ui/table";

export const metadata = { title: "Identity" };

const levelTone: Record<string, Tone> = { admin: "red", privileged: "purple", standard: "neutral" };
function PersonLink({ person }: { person: { id: string | null; displayName: string | null } | null }) {
  if (!person?.id) return <span className="text-slate-500">—</span>;
  return (
    <Link className="text-brand-700 hover:underline" href={`/identities/${person.id}`}>
      {person.displayName}
    </Link>
  );
}

function GrantStatus({ g }: { g: IdentityDetail["grants"][number] }) {
  if (g.grant.revokedAt) return <Badge tone="neutral">Revoked {formatDate(g.grant.revokedAt)}</Badge>;
  if (g.grant.type === "eligible") return <Badge tone="blue">Eligible (JIT)</Badge>;
  if (!g.active) return <Badge tone="neutral">Expired {formatDate(g.grant.expiresAt)}</Badge>;
  if (g.grant.approvalExpiresAt && new Date(g.grant.approvalExpiresAt) < new Date()) return <Badge tone="red">Active after approval ended</Badge>;
  return <Badge tone="green">Active{g.grant.type === "jit" ? " (JIT)" : ""}</Badge>;
}

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
  // Imported cloud principals are analysed; for everyone else the panel would only say "not analysed".
  const analysable = escalation.computedAt !== null || (i.attributes as { source?: string } | null)?.source === IMPORT_SOURCE;
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
        <Card title="Governance" className="lg:col-span-2">
          <dl className="grid gap-4 sm:grid-cols-3">
            {human ? (
              <>
                <Field label="Email">{i.email ?? "—"}</Field>
                <Field label="Title">{i.title ?? "—"}</Field>
                <Field label="Team">{d.teamName ?? "—"}</Field>
                <Field label="Manager">
                  <PersonLink person={d.manager} />
                </Field>
                <Field label="Roles">{d.roles.length ? d.roles.join(", ") : "—"}</Field>
              </>
            ) : (
              <>
                <Field label="Owner">
                  <PersonLink person={d.owner} />
                  {d.owner?.id && d.owner.status !== "active" && <span className="ml-1 text-xs text-rose-700">({d.owner.status})</span>}
                </Field>
                <Field label="Backup owner">
                  <PersonLink person={d.backupOwner} />
                </Field>
                <Field label="System">{d.systemName ?? "—"}</Field>
                <Field label="Next attestation">
                  {formatDate(i.nextAttestationAt)} {i.nextAttestationAt && new Date(i.nextAttestationAt) < new Date() && <Badge tone="amber">overdue</Badge>}
                </Field>
                <Field label="Last attested">{formatDate(i.lastAttestedAt)}</Field>
                <div className="sm:col-span-3">
                  <Field label="Purpose">{i.purpose ?? <span className="text-rose-700">No purpose recorded</span>}</Field>
                </div>
              </>
            )}
          </dl>
        </Card>
        <Card title={d.canEdit.length ? "Edit" : "Changes"}>
          {d.canEdit.length ? (
            <IdentityEditForm identityId={i.id} fields={d.canEdit as never} values={editValues} people={people} />
          ) : (
            <p className="text-sm text-slate-600">You can view this identity but not change it.</p>
          )}
        </Card>
      </div>

      {analysable && <CanBecome e={escalation} />}

      <Card title={`Grants (${d.grants.filter((g) => g.active).length} active)`} className="mt-6">
        {d.grants.length === 0 ? (
          <EmptyState title="No grants.">This identity holds no access in any connected system.</EmptyState>
        ) : (
          <div className="overflow-x-auto">
            <Table data-testid="grants-table">
              <THead plain>
                <Th flush>Entitlement</Th>
                <Th flush>Level</Th>
                <Th flush>Status</Th>
                <Th flush>Decisions</Th>
                <Th flush>Since</Th>
                <Th flush>Expires</Th>
                <Th flush>Last used</Th>
                <Th flush align="right">
                  Uses / denied
                </Th>
                {admin && (
                  <Th flush align="right">
                    Standing privilege
                  </Th>
                )}
              </THead>
              <TBody>
                {d.grants.map((g) => (
                  <tr key={g.grant.id} className={g.grant.revokedAt ? "text-slate-400" : ""}>
                    <td className="py-2 pr-3">
                      <span className="font-medium">{g.entitlementName}</span> <span className="text-slate-500">on {g.systemName}</span>
                    </td>
                    <td className="py-2 pr-3">
                      <Badge tone={levelTone[g.privilegeLevel]}>{g.privilegeLevel}</Badge>
                    </td>
                    <td className="py-2 pr-3">
                      <GrantStatus g={g} />
                    </td>
                    <td className="py-2 pr-3">
                      <GrantDecisions decisions={g.decisions} />
                    </td>
                    <td className="py-2 pr-3">{formatDate(g.grant.startsAt)}</td>
                    <td className="py-2 pr-3">{g.grant.expiresAt ? formatDateTime(g.grant.expiresAt) : "never"}</td>
                    <td className="py-2 pr-3">{g.lastUsedAt ? relative(g.lastUsedAt) : <span className="text-amber-700">never</span>}</td>
                    <td className="py-2 pr-3 text-right tabular-nums">
                      {g.successCount ?? 0} / {g.deniedCount ?? 0}
                    </td>
                    {admin && (
                      <td className="py-2 pr-3 text-right">
                        {g.grant.type === "standing" && !g.grant.revokedAt && g.privilegeLevel !== "standard" && i.status === "active" && (
                          <ConvertStanding grantId={g.grant.id} label={g.entitlementName} />
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </TBody>
            </Table>
          </div>
        )}
      </Card>

      <IdentityRiskCard identityId={i.id} data={reconciliation} />

      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        <Card title="Credentials (metadata only)">
          {d.credentials.length === 0 ? (
            <p className="text-sm text-slate-600">No credentials tracked.</p>
          ) : (
            <Table>
              <THead plain>
                <Th flush>Credential</Th>
                <Th flush>Age</Th>
                <Th flush>Rotated</Th>
                <Th flush>Expires</Th>
                <Th flush>Last used</Th>
                <Th flush />
              </THead>
              <TBody>
                {d.credentials.map((c) => {
                  const open = tasks.filter((t) => t.credentialId === c.id);
                  const age = ageInDays(c.lastRotatedAt ?? c.issuedAt) ?? 0;
                  return (
                    <tr key={c.id} className={c.status === "revoked" ? "text-slate-400" : ""}>
                      <td className="py-2 pr-3">
                        <span className="font-mono text-xs">{c.label}</span> <span className="text-slate-500">{c.type.replace("_", " ")}</span>
                        {c.status === "revoked" && <Badge>revoked</Badge>}
                      </td>
                      <td className="py-2 pr-3">{age > 365 ? <Badge tone="amber">{age} days</Badge> : `${age} days`}</td>
                      <td className="py-2 pr-3">{c.lastRotatedAt ? formatDate(c.lastRotatedAt) : <span className="text-amber-700">never</span>}</td>
                      <td className="py-2 pr-3">
                        {!c.expiresAt ? (
                          <span className="text-amber-700">no expiry</span>
                        ) : new Date(c.expiresAt) < new Date() ? (
                          <Badge tone="red">expired {formatDate(c.expiresAt)}</Badge>
                        ) : (
                          formatDate(c.expiresAt)
                        )}
                      </td>
                      <td className="py-2 pr-3">{relative(c.lastUsedAt)}</td>
                      <td className="py-2 pr-3 text-right">
                        <CredentialTaskBadges tasks={open} />
                        {canRotate && c.status === "active" && (
                          <CredentialDoneButton credentialId={c.id} label={c.label} done={open.some((t) => t.kind === "revoke") ? "revoked" : "rotated"} />
                        )}
                      </td>
                    </tr>
                  );
                })}
              </TBody>
            </Table>
          )}
        </Card>
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
      </div>

      {human && (d.ownedIdentities.length > 0 || d.directReports.length > 0) && (
        <div className="mt-6 grid gap-6 lg:grid-cols-2">
          <Card title={`Owns or backs up (${d.ownedIdentities.length})`}>
            <ul className="max-h-72 overflow-y-auto text-sm">
              {d.ownedIdentities.map((o) => (
                <li key={o.id} className="py-0.5">
                  <Link className="text-brand-700 hover:underline" href={`/identities/${o.id}`}>
                    {o.name}
                  </Link>{" "}
                  <span className="text-slate-500">{kindLabels[o.kind]}</span>
                </li>
              ))}
            </ul>
          </Card>
          <Card title={`Direct reports (${d.directReports.length})`}>
            <ul className="text-sm">
              {d.directReports.map((r) => (
                <li key={r.id} className="py-0.5">
                  <Link className="text-brand-700 hover:underline" href={`/identities/${r.id}`}>
                    {r.displayName}
                  </Link>{" "}
                  <span className="text-slate-500">{r.title}</span>
                </li>
              ))}
            </ul>
          </Card>
        </div>
      )}

      <Card title="Lifecycle" className="mt-6">
        <LifecycleTimeline events={timeline} />
      </Card>

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
    </>
  );
}
