import { getDb } from "@/db/client";
import { setRoles } from "@/lib/auth/roles";
import { jsonBody, route } from "@/lib/http/respond";

export const PUT = route<{ identityId: string }>(async ({ caller, params, request }) => ({
  identityId: params.identityId,
  roles: await setRoles(await getDb(), caller, params.identityId, await jsonBody(request)),
}));
