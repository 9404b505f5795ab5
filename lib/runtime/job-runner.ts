import PgBoss from "pg-boss";
import type { Database } from "@/db/client";
import type { JobDefinition } from "@/lib/jobs/definition";
import { JOB_SCHEMA } from "@/lib/jobs/enqueue";
import { pgliteExecutor } from "@/lib/jobs/executor";
import { jobDefinitions } from "./job-registry";

function bossFor(database: Database, options: PgBoss.ConstructorOptions = {}): PgBoss {
  const base = { schema: JOB_SCHEMA, ...options };
  if (database.pglite) return new PgBoss({ ...base, db: pgliteExecutor(database.pglite) });
  if (database.target.kind !== "postgres") throw new Error("no database for the job runner");
  // On PostgreSQL pg-boss keeps a small pool of its own beside the app's.
  return new PgBoss({ ...base, connectionString: database.target.url, max: Number(process.env.JOBS_POOL_SIZE ?? 3), application_name: "gov-jobs" });
}

const queueOptions = (d: JobDefinition) => ({
  name: d.name,
  retryLimit: d.retryLimit ?? 3,
  retryDelay: d.retryDelaySeconds ?? 5,
  retryBackoff: d.retryBackoff ?? true,
  expireInSeconds: d.expireInSeconds ?? 15 * 60,
  ...(d.deadLetter ? { deadLetter: d.deadLetter } : {}),
});

/**
 * Creates pg-boss's tables and every queue (idempotent; concurrent starters
 * are serialised by pg-boss). Runs after the migrations wherever jobs may be
 * sent: the app, the CLI and the tests.
 */
export async function installJobs(database: Database, definitions: JobDefinition[] = jobDefinitions): Promise<void> {
  const boss = bossFor(database, { supervise: false, schedule: false, max: 1 });
  await boss.start();
  try {
    const deadLetters = new Set(definitions.map((d) => d.deadLetter).filter((d): d is string => !!d));
    for (const name of deadLetters) await boss.createQueue(name, { name, retentionMinutes: 60 * 24 * 30 });
    for (const d of definitions) await boss.createQueue(d.name, queueOptions(d));
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}

export type JobRunner = { stop: () => Promise<void> };

/**
 * Works every queue in this process and sends the cron-scheduled ones. Any
 * number of app instances may run it: pg-boss hands each job to one of them.
 */
export async function startJobRunner(database: Database, definitions: JobDefinition[] = jobDefinitions): Promise<JobRunner> {
  const boss = bossFor(database, { cronMonitorIntervalSeconds: 30 });
  boss.on("error", (error) => console.error("[gov] job runner:", error));
  await boss.start();
  for (const d of definitions) {
    await boss.work<Record<string, unknown>>(d.name, { pollingIntervalSeconds: d.pollingIntervalSeconds ?? 5, batchSize: 1 }, async ([job]) => {
      await d.handler(database.db, job.data ?? {});
    });
    if (d.cron) await boss.schedule(d.name, d.cron, {}, { tz: "UTC" });
    else await boss.unschedule(d.name);
    // A singleton key: several instances starting together queue one catch-up, not one each.
    if (d.atStart) await boss.send(d.name, {}, { singletonKey: "at-start", singletonSeconds: 60 });
  }
  return { stop: () => boss.stop({ graceful: true, wait: true, timeout: 10_000 }) };
}
