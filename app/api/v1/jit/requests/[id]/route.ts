import { getDb } from "@/db/client";
import { getRequest } from "@/lib/jit/detail";
import { route } from "@/lib/http/respond";

export const GET = route<{ id: string }>(async ({ caller, params }) => getRequest(await getDb(), caller, params.id), {
  tokenScopes: ["jit:request", "jit:read"],
});
