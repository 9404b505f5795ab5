import { getDatabase, isDemoMode } from "@/db/client";
import { migrate } from "@/db/migrate";
import { isSeeded, seed } from "@/db/seed";

export async function startServer() {
  const database = await getDatabase();
  await migrate(database);
  if (isDemoMode(database.target) && !(await isSeeded(database.db))) {
    console.log("[gov] empty database in demo mode: loading the demo organisation…");
    const summary = await seed(database.db, { log: (m) => console.log(`[gov] ${m}`) });
    console.log(`[gov] demo organisation loaded in ${Math.round(summary.elapsedMs)} ms`);
  }
}
