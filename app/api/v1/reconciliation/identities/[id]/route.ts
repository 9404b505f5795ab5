import { getDb } from "@/db/client";
import { getVisibleIdentity } from "@/lib/identities/detail";
import { reconcileIdentity } from "@/lib/reconciliation/actions";
import { route, searchParamsOf } from "@/lib/http/respond";

// Whoever may see the identity may see how its access was used.
export const GET = route<{ id: string }>(async ({ caller, params, request }) => {
  const db = await getDb();
  await getVisibleIdentity(db, caller, params.id);
  const { since, until } = searchParamsOf(request);
  return reconcileIdentity(db, { identity: params.id, since: since || undefined, until: until || undefined });
});
