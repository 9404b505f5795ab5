import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { INVENTORY_READERS, hasRole } from "@/lib/caller";
import { riskDashboardData } from "@/lib/home/dashboard";
import { RiskDashboard } from "@/components/dashboard/risk-dashboard";
import { Forbidden } from "@/components/ui/forbidden";

export const metadata = { title: "Risk dashboard" };

export default async function DashboardPage() {
  const caller = await requireCaller();
  if (!hasRole(caller, ...INVENTORY_READERS)) return <Forbidden what="the risk dashboard" />;
  return <RiskDashboard data={await riskDashboardData(await getDb(), caller)} />;
}
