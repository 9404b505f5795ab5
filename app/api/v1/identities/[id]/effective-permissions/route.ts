import { getDb } from "@/db/client";
import { effectivePermissionsOf } from "@/lib/escalation/effective";
import { route } from "@/lib/http/respond";

// Every Allow the identity holds, as written, and whether a deny, its boundary or an SCP removes it.
export const GET = route<{ id: string }>(async ({ caller, params }) => effectivePermissionsOf(await getDb(), caller, params.id));
