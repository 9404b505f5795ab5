import { getDb } from "@/db/client";
import { requireRole } from "@/lib/auth/caller";
import { verifyAuditChain } from "@/lib/audit/verify";
import { route } from "@/lib/http/respond";

export const GET = route(async ({ caller }) => {
  requireRole(caller, "admin", "auditor");
  return verifyAuditChain(await getDb());
});
