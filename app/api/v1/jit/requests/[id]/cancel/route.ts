import { getDb } from "@/db/client";
import { cancelRequest } from "@/lib/jit/end";
import { route } from "@/lib/http/respond";

export const POST = route<{ id: string }>(async ({ caller, params }) => cancelRequest(await getDb(), caller, params.id), { tokenScopes: ["jit:request"] });
