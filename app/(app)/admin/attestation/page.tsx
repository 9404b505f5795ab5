import Link from "next/link";
import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/caller";
import { listAttestationPolicies } from "@/lib/attestation/cadence";
import { ESCALATE_TO_ADMINS_AFTER_DAYS, ESCALATE_TO_MANAGER_AFTER_DAYS } from "@/lib/attestation/policy";
import { CadenceEditor } from "@/components/attestations/cadence-editor";
import { Forbidden } from "@/components/ui/forbidden";
import { PageHeader } from "@/components/ui/page-header";

export const metadata = { title: "Attestation policy · Admin" };

export default async function AttestationPolicyPage() {
  const caller = await requireCaller();
  if (!hasRole(caller, "admin", "auditor", "owner")) return <Forbidden what="the attestation policy" />;
  const policies = await listAttestationPolicies(await getDb(), caller);
  const admin = hasRole(caller, "admin");
  return (
    <>
      <Link href={admin ? "/admin" : "/attestations"} className="text-sm text-brand-700 hover:underline">
        ← {admin ? "Admin" : "Attestations"}
      </Link>
      <PageHeader
        title="Attestation policy"
        description={`How often each kind of non-human identity is attested by its owner, and when owners are reminded (days before the due date; 0 is the due day). An attestation still open ${ESCALATE_TO_MANAGER_AFTER_DAYS} days after it fell due goes to the owner's manager, and after ${ESCALATE_TO_ADMINS_AFTER_DAYS} days to the admins. A shorter interval applies at once: due dates beyond the last attestation plus the new interval are brought forward. A longer one applies from each identity's next attestation. Every change is audited.`}
      />
      <CadenceEditor policies={policies} canEdit={admin} />
      {!admin && <p className="mt-3 text-sm text-slate-600">Admins set the policy; you can read it.</p>}
    </>
  );
}
