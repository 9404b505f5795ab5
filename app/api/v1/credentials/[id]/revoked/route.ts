import { getDb } from "@/db/client";
import { markRevoked } from "@/lib/credentials/rotation";
import { optionalJsonBody, route } from "@/lib/http/respond";

export const POST = route<{ id: string }>(async ({ caller, params, request }) =>
  markRevoked(await getDb(), caller, params.id, await optionalJsonBody(request)),
);
