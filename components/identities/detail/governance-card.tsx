import Link from "next/link";
import type { IdentityDetail } from "@/lib/identities/detail";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { formatDate } from "@/components/ui/format";

function PersonLink({ person }: { person: { id: string | null; displayName: string | null } | null }) {
  if (!person?.id) return <span className="text-slate-500">—</span>;
  return (
    <Link className="text-brand-700 hover:underline" href={`/identities/${person.id}`}>
      {person.displayName}
    </Link>
  );
}

/** Who answers for an identity: a person's team, manager and roles; an NHI's owners, system, attestation and purpose. */
export function GovernanceCard({ d }: { d: IdentityDetail }) {
  const i = d.identity;
  const human = i.kind === "human";
  return (
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
  );
}
