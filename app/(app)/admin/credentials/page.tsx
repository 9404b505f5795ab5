import Link from "next/link";
import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/caller";
import { credentialsOutsidePolicy, listCredentialPolicies, listCredentialTasks } from "@/lib/credentials/rotation";
import { CredentialPolicyEditor } from "@/components/credentials/policy-editor";
import { CredentialWork } from "@/components/credentials/credential-work";
import { Card } from "@/components/ui/card";
import { findingsHref } from "@/components/reconciliation/labels";
import { Forbidden } from "@/components/ui/forbidden";
import { PageHeader } from "@/components/ui/page-header";

export const metadata = { title: "Credential rotation" };

export default async function CredentialsPage() {
  const caller = await requireCaller();
  if (!hasRole(caller, "admin", "auditor")) return <Forbidden what="credential rotation" />;
  const db = await getDb();
  const [policies, tasks, overdue] = await Promise.all([
    listCredentialPolicies(db, caller),
    listCredentialTasks(db, caller),
    credentialsOutsidePolicy(db, caller),
  ]);
  return (
    <>
      <Link href="/admin" className="text-sm text-brand-700 hover:underline">
        ← Admin
      </Link>
      <PageHeader
        title="Credential rotation"
        description="How old each kind of secret may get. Credentials past their age, never rotated, expired or without a required expiry are long-lived-secret findings (OWASP NHI7); owners mark rotations done, or a connector reports them."
      />
      <p className="mb-4 text-sm text-slate-600" data-testid="credentials-overdue">
        {overdue === 0 ? (
          "No credential is outside its policy."
        ) : (
          <>
            <span className="font-semibold text-slate-900">{overdue.toLocaleString("en")}</span> credentials are outside their policy today.{" "}
            <Link className="text-brand-700 hover:underline" href={findingsHref({ kind: "stale_credential" })}>
              See the long-lived credential findings →
            </Link>
          </>
        )}{" "}
        A saved change is applied by a reconciliation pass queued with it.
      </p>
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Rotation policy">
          <CredentialPolicyEditor
            policies={policies.map((p) => ({ type: p.type, maxAgeDays: p.maxAgeDays, requireExpiry: p.requireExpiry }))}
            canEdit={hasRole(caller, "admin")}
          />
        </Card>
        <Card title={`Open rotation and revocation tasks (${tasks.length})`}>
          {tasks.length === 0 ? (
            <p className="text-sm text-slate-600">Nothing waits on an owner.</p>
          ) : (
            <div data-testid="credential-tasks">
              <CredentialWork tasks={tasks} />
            </div>
          )}
        </Card>
      </div>
    </>
  );
}
