import { InvalidArgumentError } from "commander";
import type { z } from "zod";
import { openDatabase, resolveTarget, type Database } from "@/db/client";
import { migrate } from "@/db/migrate";
import { installJobs } from "@/lib/runtime/job-runner";
import { text } from "@/lib/validation/fields";

/* What every command shares: the database it opens and the parsers of its options. */

export function describeTarget(db: Database) {
  return db.target.kind === "postgres" ? "PostgreSQL (DATABASE_URL)" : `PGlite ${db.target.dataDir ?? "in memory"}`;
}

// PGlite is one process, one connection: the CLI must not open the data
// directory while the app server has it open.
export async function withDatabase<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase(resolveTarget());
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

/** For commands that write and may queue jobs: the database migrated, its job queues installed. */
export const withReadyDatabase = <T>(fn: (db: Database) => Promise<T>): Promise<T> =>
  withDatabase(async (database) => {
    await migrate(database);
    await installJobs(database);
    return fn(database);
  });

/**
 * An option or argument parser from a field schema (lib/validation/fields.ts):
 * the rules of the API's fields, refused before anything runs; commander
 * names the option in front of the message.
 */
export const checked =
  <T>(schema: z.ZodType<T>) =>
  (value: string): T => {
    const result = schema.safeParse(value);
    if (!result.success) throw new InvalidArgumentError(result.error.issues.map((i) => i.message).join(" "));
    return result.data;
  };

/** A variadic argument's parser: each value checked, collected in order. */
export const each =
  <T>(parse: (value: string) => T) =>
  (value: string, previous: T[] | undefined): T[] => [...(previous ?? []), parse(value)];

export const path = checked(text().min(1, "Name a file."));
