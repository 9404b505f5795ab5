import { getDb } from "@/db/client";
import { reconcileVisibleIdentity } from "@/lib/reconciliation/actions";
import { route, searchParamsOf } from "@/lib/http/respond";

export const GET = route<{ id: string }>(async ({ caller, params, request }) =>
  reconcileVisibleIdentity(await getDb(), caller, params.id, searchParamsOf(request)),
);
