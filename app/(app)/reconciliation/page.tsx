import { NotBuilt } from "@/components/ui/not-built";

export const metadata = { title: "Reconciliation" };

export default function ReconciliationPage() {
  return (
    <NotBuilt
      title="Reconciliation"
      purpose="Approved versus actually used privilege, for every identity and entitlement."
      coming={["Findings: unused, unapproved, active after approval ended, used after offboarding", "Creep score and exposure hours", "CISO risk dashboard and auditor exports"]}
    />
  );
}
