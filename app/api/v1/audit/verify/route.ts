import { getDb } from "@/db/client";
import { verifyAuditLog } from "@/lib/audit/verify";
import { route } from "@/lib/http/respond";

export const GET = route(async ({ caller }) => verifyAuditLog(await getDb(), caller));
