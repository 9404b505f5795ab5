import type { Tx } from "@/db/client";
import { hasRole, type Caller } from "@/lib/caller";
import { inventorySummary } from "@/lib/dashboard/summary";
import { listSystems } from "@/lib/identities/list";
import { riskDashboard } from "@/lib/reconciliation/dashboard";
import { FINDING_READERS } from "@/lib/reconciliation/findings";

/** What the risk dashboard shows the caller: the latest reconciliation's figures, or, before the first one, the inventory's size. */
export async function riskDashboardData(db: Tx, caller: Caller) {
  // Reviewers and approvers read the dashboard but not the findings behind it.
  const readsFindings = hasRole(caller, ...FINDING_READERS);
  // Systems name the findings-by-system links, which only finding readers get.
  const [d, systems] = await Promise.all([riskDashboard(db, caller), readsFindings ? listSystems(db) : []]);
  return { d, systems, readsFindings, admin: hasRole(caller, "admin"), summary: d.asOf ? null : await inventorySummary(db, caller) };
}

export type RiskDashboardData = Awaited<ReturnType<typeof riskDashboardData>>;
