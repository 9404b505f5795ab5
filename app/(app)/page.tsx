import Link from "next/link";
import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { INVENTORY_READERS, hasRole } from "@/lib/caller";
import { riskDashboardData } from "@/lib/home/dashboard";
import { myWork } from "@/lib/home/work";
import { RiskDashboard } from "@/components/dashboard/risk-dashboard";
import { Shortcuts } from "@/components/home/shortcuts";
import { MyWorkSections } from "@/components/home/my-work";
import { PageHeader } from "@/components/ui/page-header";

export const metadata = { title: "Home" };

/**
 * The landing page answers "what do I need to do now?": the caller's reviews,
 * approvals, attestations and own access, by role. Admins and auditors (the
 * CISO's seat) keep the risk dashboard here, their work above its tiles;
 * reviewers and approvers reach it from the navigation.
 */
export default async function HomePage() {
  const caller = await requireCaller();
  const db = await getDb();
  const work = await myWork(db, caller);
  const sections = <MyWorkSections work={work} />;
  if (hasRole(caller, "admin", "auditor")) return <RiskDashboard data={await riskDashboardData(db, caller)} lead={<div className="mb-6">{sections}</div>} />;
  return (
    <>
      <PageHeader
        title={`Welcome, ${caller.name}`}
        description="What needs you now."
        actions={
          hasRole(caller, ...INVENTORY_READERS) ? (
            <Link href="/dashboard" className="text-sm font-medium text-brand-700 hover:underline">
              Risk dashboard
            </Link>
          ) : undefined
        }
      />
      {sections}
      <Shortcuts identityId={caller.identityId} />
    </>
  );
}
