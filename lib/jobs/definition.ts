import type { Db } from "@/db/client";

/**
 * A durable background job: a queue in PostgreSQL (pg-boss) that any app
 * instance may work, exactly one of them taking each job. Handlers receive the
 * database and the job's data and must be safe to run again after a crash
 * (each one re-reads state and changes only what is still due).
 */
export type JobDefinition<T = Record<string, unknown>> = {
  name: string;
  handler: (db: Db, data: T) => Promise<unknown>;
  /** A UTC cron expression: the job is also sent on this schedule (minute resolution). */
  cron?: string;
  /** Also sent once when a runner starts: catch-up work after downtime. */
  atStart?: boolean;
  /** How often an idle worker looks for due jobs; sub-minute deadlines need a short one. */
  pollingIntervalSeconds?: number;
  retryLimit?: number;
  retryDelaySeconds?: number;
  retryBackoff?: boolean;
  expireInSeconds?: number;
  /** Jobs that exhaust their retries move to this queue for inspection and redelivery. */
  deadLetter?: string;
};

export const defineJob = <T extends Record<string, unknown>>(definition: JobDefinition<T>) => definition as unknown as JobDefinition;
