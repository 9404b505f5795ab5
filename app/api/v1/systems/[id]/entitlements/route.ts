import { getDb } from "@/db/client";
import { listSystemEntitlements } from "@/lib/catalog/catalog";
import { route } from "@/lib/http/respond";

export const GET = route<{ id: string }>(async ({ caller, params }) => listSystemEntitlements(await getDb(), caller, params.id));
