import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/db/rows";
import { testDatabase } from "@/lib/testing/harness";
import { defineJob } from "./definition";
import { enqueue } from "./enqueue";
import { installJobs, startJobRunner } from "@/lib/runtime/job-runner";

const jobsIn = async (db: Awaited<ReturnType<typeof testDatabase>>["db"], queue: string) =>
  queryRows<{ id: string; data: { n: number } }>(db, sql`select id, data from pgboss.job where name = ${queue} order by created_on`);

describe("durable jobs", () => {
  it("queues a job exactly when the transaction that asked for it commits", async () => {
    const database = await testDatabase();
    const queue = `test-${randomUUID().slice(0, 8)}`;
    await installJobs(database, [defineJob({ name: queue, handler: async () => {} })]);
    await expect(
      database.db.transaction(async (tx) => {
        await enqueue(tx, queue, { n: 1 });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await jobsIn(database.db, queue)).toHaveLength(0);

    await database.db.transaction((tx) => enqueue(tx, queue, { n: 2 }, { key: "k", startAfter: new Date(Date.now() + 60_000) }));
    expect(await database.db.transaction((tx) => enqueue(tx, queue, { n: 3 }, { key: "k" }))).toBeNull();
    expect((await jobsIn(database.db, queue)).map((j) => j.data.n)).toEqual([2]);
    await expect(database.db.transaction((tx) => enqueue(tx, "no-such-queue", {}))).rejects.toThrow('queue "no-such-queue" is not installed');
  });

  it("works queued jobs in the background, each once", async () => {
    const database = await testDatabase();
    const queue = `test-${randomUUID().slice(0, 8)}`;
    const seen: number[] = [];
    const definition = defineJob<{ n: number }>({ name: queue, pollingIntervalSeconds: 0.5, handler: async (_db, data) => void seen.push(data.n) });
    await installJobs(database, [definition]);
    for (const n of [1, 2, 3]) await database.db.transaction((tx) => enqueue(tx, queue, { n }));
    const runner = await startJobRunner(database, [definition]);
    try {
      await expect.poll(() => [...seen].sort(), { timeout: 15_000 }).toEqual([1, 2, 3]);
    } finally {
      await runner.stop();
    }
    const states = await queryRows<{ state: string }>(database.db, sql`select state from pgboss.job where name = ${queue}`);
    expect(states.map((s) => s.state)).toEqual(["completed", "completed", "completed"]);
  });
});
