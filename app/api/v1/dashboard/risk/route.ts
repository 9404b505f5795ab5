import { getDb } from "@/db/client";
import { riskDashboard } from "@/lib/reconciliation/dashboard";
import { route } from "@/lib/http/respond";

export const GET = route(async ({ caller }) => riskDashboard(await getDb(), caller));
