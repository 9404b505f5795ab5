import { openDatabase, resolveTarget } from "@/db/client";
import { migrate } from "@/db/migrate";
import { installJobs } from "@/lib/runtime/job-runner";

// On PostgreSQL every test file shares one migrated database; tests create
// their own rows with fresh ids and never clean up. PGlite files migrate their
// own in-memory database instead (see harness.ts).
export default async function setup() {
  const target = resolveTarget();
  if (target.kind !== "postgres") return;
  const database = await openDatabase(target);
  try {
    await migrate(database);
    await installJobs(database);
  } finally {
    await database.close();
  }
}
