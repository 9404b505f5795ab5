import { getDb } from "@/db/client";
import { revokeToken } from "@/lib/auth/tokens";
import { route } from "@/lib/http/respond";

export const DELETE = route<{ id: string }>(async ({ caller, params }) => revokeToken(await getDb(), caller, params.id));
