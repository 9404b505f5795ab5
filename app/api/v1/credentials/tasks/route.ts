import { getDb } from "@/db/client";
import { listCredentialTasks } from "@/lib/credentials/rotation";
import { route, searchParamsOf } from "@/lib/http/respond";

export const GET = route(async ({ caller, request }) => ({
  tasks: await listCredentialTasks(await getDb(), caller, { identityId: searchParamsOf(request).identityId || undefined }),
}));
