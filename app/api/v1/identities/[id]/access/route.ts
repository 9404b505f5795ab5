import { getDb } from "@/db/client";
import { getEffectiveAccess } from "@/lib/identities/detail";
import { route } from "@/lib/http/respond";

export const GET = route<{ id: string }>(async ({ caller, params }) => getEffectiveAccess(await getDb(), caller, params.id));
