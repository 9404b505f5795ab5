import { NotBuilt } from "@/components/ui/not-built";

export const metadata = { title: "Attestations" };

export default function AttestationsPage() {
  return (
    <NotBuilt
      title="Attestations"
      purpose="Owners confirm that each non-human identity they own is still needed, for what, and by whom."
      coming={["My non-human identities with what is due", "Attest, correct or decommission", "Orphan reassignment and escalation"]}
    />
  );
}
