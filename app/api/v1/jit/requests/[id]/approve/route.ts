import { getDb } from "@/db/client";
import { decideRequest } from "@/lib/jit/decide";
import { optionalJsonBody, route } from "@/lib/http/respond";

export const POST = route<{ id: string }>(async ({ caller, params, request }) =>
  decideRequest(await getDb(), caller, params.id, "approve", await optionalJsonBody(request)),
);
