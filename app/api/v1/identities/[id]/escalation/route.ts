import { getDb } from "@/db/client";
import { escalationOf } from "@/lib/escalation/read";
import { route } from "@/lib/http/respond";

// Who this identity can become: its privilege level from effective access and reach, and the shortest way to administrator.
export const GET = route<{ id: string }>(async ({ caller, params }) => escalationOf(await getDb(), caller, params.id));
