import { currentAuditKey } from "@/db/audit-key";
import { getDatabase, isDemoMode } from "@/db/client";
import { migrate } from "@/db/migrate";
import { isSeeded, seed } from "@/db/seed";
import { importDemoAccount } from "@/lib/ingest/aws/demo-account";
import { installJobs, startJobRunner, type JobRunner } from "@/lib/runtime/job-runner";

const globalForJobs = globalThis as unknown as { __govJobs?: Promise<JobRunner> };

export async function startServer() {
  // Every change writes a signed audit row: an instance without the audit key refuses to start
  // rather than fail on its first write (the demo generates one into ./.data).
  currentAuditKey();
  const database = await getDatabase();
  await migrate(database);
  await installJobs(database);
  if (isDemoMode(database.target) && !(await isSeeded(database.db))) {
    console.log("[gov] empty database in demo mode: loading the demo organisation…");
    const summary = await seed(database.db, { log: (m) => console.log(`[gov] ${m}`) });
    // Another instance that got there first has imported it too.
    if (!summary.skipped) {
      const iam = await importDemoAccount(database.db);
      console.log(
        `[gov] demo organisation loaded in ${Math.round(summary.elapsedMs)} ms; AWS account ${iam.accountId}'s IAM imported for the escalation analysis`,
      );
    }
  }
  // JOBS=0 runs a web-only instance; some other instance (or `gov jobs work`) works the queues.
  if (process.env.JOBS !== "0") {
    globalForJobs.__govJobs ??= startJobRunner(database);
    await globalForJobs.__govJobs;
  }
}
