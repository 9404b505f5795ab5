import { getDb } from "@/db/client";
import { removeEligibleIdentity } from "@/lib/jit/policies";
import { route } from "@/lib/http/respond";

export const DELETE = route<{ id: string; identityId: string }>(async ({ caller, params }) =>
  removeEligibleIdentity(await getDb(), caller, params.id, params.identityId),
);
