import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { asc, sql } from "drizzle-orm";
import { afterAll } from "vitest";
import type { Database, Tx } from "@/db/client";
import { auditLog } from "@/db/schema";
import type { AuditAction } from "./actions";
import { isolatedDatabase } from "@/db/testing";
import { checkpointAuditChain } from "./checkpoint";
import { recordAudit } from "./record";
import { verifyAuditLog, type VerifyOptions } from "./verify";

export const OPERATOR = { operator: "cli: test" };
const actor = { id: null, label: "test" };

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(() => Promise.all(cleanups.splice(0).map((c) => c())));

/** A directory removed after the file's tests. */
export async function tempDir() {
  const dir = await mkdtemp(path.join(tmpdir(), "gov-audit-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** What a superuser can always do: switch triggers off for their session and change rows at will. */
const asDba = (database: Database, fn: (tx: Tx) => Promise<unknown>) =>
  database.db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await fn(tx);
  });

let isolated: Promise<Database> | null = null;

/**
 * An audit log of its own (an empty table in a database of this file's own,
 * and a checkpoint directory) for tests that tamper with it wholesale, as a
 * database administrator would.
 */
export async function auditLogFixture() {
  isolated ??= isolatedDatabase().then((database) => {
    cleanups.push(() => database.close());
    return database;
  });
  const database = await isolated;
  await asDba(database, (tx) => tx.execute(sql`truncate audit_log restart identity`));
  const dir = await tempDir();
  const { db } = database;
  return {
    database,
    db,
    dir,
    /** n rows in one transaction; returns them in chain order. */
    async write(n: number, action: AuditAction = "identity.updated") {
      const [{ last }] = await db.select({ last: sql<number>`coalesce(max(${auditLog.id}), 0)::int` }).from(auditLog);
      await db.transaction((tx) =>
        recordAudit(
          tx,
          actor,
          Array.from({ length: n }, (_, i) => ({ action, entityType: "thing", entityId: `t${i}`, after: { i } })),
        ),
      );
      return (await this.rows()).filter((r) => r.id > last);
    },
    rows: () => db.select().from(auditLog).orderBy(asc(auditLog.id)),
    checkpoint: (now?: Date) => checkpointAuditChain(db, { dir, now }),
    verify: (extra: VerifyOptions = {}) => verifyAuditLog(db, OPERATOR, { checkpointDir: dir, ...extra }),
    asDba: (fn: (tx: Tx) => Promise<unknown>) => asDba(database, fn),
  };
}
