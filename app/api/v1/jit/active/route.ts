import { getDb } from "@/db/client";
import { listActiveElevations } from "@/lib/jit/active";
import { route, searchParamsOf } from "@/lib/http/respond";

export const GET = route(async ({ caller, request }) => listActiveElevations(await getDb(), caller, searchParamsOf(request)), {
  tokenScopes: ["jit:request", "jit:read"],
});
