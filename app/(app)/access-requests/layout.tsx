import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/caller";
import { pendingApprovalCount } from "@/lib/jit/list";
import { JitTabs, type JitTab } from "@/components/jit/tabs";
import { PageHeader } from "@/components/ui/page-header";

export default async function AccessRequestsLayout({ children }: { children: React.ReactNode }) {
  const caller = await requireCaller();
  const waiting = await pendingApprovalCount(await getDb(), caller);
  const tabs: JitTab[] = [{ href: "/access-requests", label: "Request access" }];
  if (waiting > 0 || hasRole(caller, "approver", "admin")) tabs.push({ href: "/access-requests/approvals", label: "Approvals", count: waiting });
  tabs.push({ href: "/access-requests/history", label: hasRole(caller, "admin", "auditor", "approver") ? "All requests" : "History" });
  if (hasRole(caller, "admin", "auditor", "approver")) tabs.push({ href: "/access-requests/policies", label: "Eligibility policies" });
  return (
    <>
      <PageHeader
        title="Access requests (JIT)"
        description="Time-bound elevation for what governance made you eligible for, approved by someone else, removed when the window ends."
      />
      <JitTabs tabs={tabs} />
      {children}
    </>
  );
}
