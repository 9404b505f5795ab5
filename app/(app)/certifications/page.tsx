import { NotBuilt } from "@/components/ui/not-built";

export const metadata = { title: "Certifications" };

export default function CertificationsPage() {
  return (
    <NotBuilt
      title="Certifications"
      purpose="Campaigns in which reviewers certify or revoke access, with the evidence to decide."
      coming={["Campaign scoping, reviewers, stages, due dates and recurrence", "A review queue with usage evidence and recommendations", "Sign-off and evidence export"]}
    />
  );
}
