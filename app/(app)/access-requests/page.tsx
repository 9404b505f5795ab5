import { NotBuilt } from "@/components/ui/not-built";

export const metadata = { title: "Access requests" };

export default function AccessRequestsPage() {
  return (
    <NotBuilt
      title="Access requests (JIT)"
      purpose="Time-bound elevation for what governance made you eligible for, approved by someone else, removed when the window ends."
      coming={["Eligibility policies and requests", "Approval queue with N-of-M thresholds", "Expiry, early release and break-glass"]}
    />
  );
}
