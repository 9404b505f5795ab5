import { afterAll, beforeAll } from "vitest";
import type { Database, Db } from "@/db/client";
import { isolatedDatabase } from "@/db/testing";
import { installJobs } from "@/lib/runtime/job-runner";

/**
 * A database of the calling test file's own, migrated with its job queues,
 * closed after the file's tests: for code that reads or writes the whole
 * database (the escalation analysis covers every imported account), so other
 * files' rows never change what it finds. Call at the top of the file.
 */
export function isolatedForFile(): () => Db {
  let database: Database | undefined;
  beforeAll(async () => {
    database = await isolatedDatabase();
    await installJobs(database);
  }, 120_000);
  afterAll(async () => database?.close());
  return () => database!.db;
}
