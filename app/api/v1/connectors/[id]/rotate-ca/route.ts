import { getDb } from "@/db/client";
import { rotateCa } from "@/lib/connectors/ssh-rotation";
import { route } from "@/lib/http/respond";

/** An SSH connector begins signing with a new CA; the answer says what targets must trust during the overlap. */
export const POST = route<{ id: string }>(async ({ caller, params }) => rotateCa(await getDb(), caller, params.id));
