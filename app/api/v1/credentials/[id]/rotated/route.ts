import { getDb } from "@/db/client";
import { markRotated } from "@/lib/credentials/rotation";
import { optionalJsonBody, route } from "@/lib/http/respond";

export const POST = route<{ id: string }>(async ({ caller, params, request }) =>
  markRotated(await getDb(), caller, params.id, await optionalJsonBody(request)),
);
