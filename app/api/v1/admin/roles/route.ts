import { getDb } from "@/db/client";
import { listRoleAssignments } from "@/lib/auth/roles";
import { route } from "@/lib/http/respond";

export const GET = route(async ({ caller }) => ({ assignments: await listRoleAssignments(await getDb(), caller) }));
