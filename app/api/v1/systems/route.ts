import { getDb } from "@/db/client";
import { listSystems } from "@/lib/identities/list";
import { route } from "@/lib/http/respond";

// System names are not sensitive: every signed-in person filters by them.
export const GET = route(async () => ({ systems: await listSystems(await getDb()) }));
