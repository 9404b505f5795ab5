import { getDb } from "@/db/client";
import { releaseRequest } from "@/lib/jit/end";
import { optionalJsonBody, route } from "@/lib/http/respond";

export const POST = route<{ id: string }>(
  async ({ caller, params, request }) => releaseRequest(await getDb(), caller, params.id, await optionalJsonBody(request)),
  { tokenScopes: ["jit:request"] },
);
