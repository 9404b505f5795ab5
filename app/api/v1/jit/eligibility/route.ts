import { getDb } from "@/db/client";
import { myEligibility } from "@/lib/jit/eligibility";
import { route } from "@/lib/http/respond";

export const GET = route(async ({ caller }) => myEligibility(await getDb(), caller), { tokenScopes: ["jit:request", "jit:read"] });
