import { sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { openDatabase, resolveTarget, type Database } from "@/db/client";
import { migrate } from "@/db/migrate";
import { queryRows } from "@/db/rows";
import { isolatedDatabase } from "@/db/testing";
import { recordAudit } from "@/lib/audit/record";
import { tempDir } from "@/lib/audit/test-fixtures";
import { main } from "./main";

/**
 * A database the CLI opens from DATABASE_URL, as an operator would: its own
 * PostgreSQL database, or a PGlite directory (one process at a time: the test
 * opens it only between commands).
 */
async function cliDatabase() {
  const target = resolveTarget();
  if (target.kind === "postgres") {
    const database = await isolatedDatabase();
    return { url: (database.target as { url: string }).url, use: <T>(fn: (d: Database) => Promise<T>) => fn(database), close: () => database.close() };
  }
  const dataDir = await tempDir();
  const use = async <T>(fn: (d: Database) => Promise<T>) => {
    const database = await openDatabase({ kind: "pglite", dataDir });
    try {
      return await fn(database);
    } finally {
      await database.close();
    }
  };
  await use(migrate);
  return { url: `pglite:${dataDir}`, use, close: async () => {} };
}

async function gov(env: Record<string, string>, ...args: string[]) {
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  const out: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a) => void out.push(a.join(" ")));
  try {
    const code = await main(["node", "gov", ...args]);
    return { code, out: out.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
    vi.unstubAllEnvs();
  }
}

const write = (d: Database, n: number) =>
  d.db.transaction((tx) =>
    recordAudit(
      tx,
      { id: null, label: "test" },
      Array.from({ length: n }, (_, i) => ({ action: "identity.updated", entityType: "thing", entityId: `t${i}` })),
    ),
  );

const count = (d: Database) => queryRows<{ n: number }>(d.db, sql`select count(*)::int as n from audit_log`).then(([row]) => row);

describe("gov audit", () => {
  it("purges, checkpoints and verifies, with exit codes a script can act on", async () => {
    const database = await cliDatabase();
    const dir = await tempDir();
    const env = { DATABASE_URL: database.url, AUDIT_CHECKPOINT_DIR: dir };
    try {
      await database.use((d) => write(d, 3));
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(await gov(env, "audit", "purge", "--before", new Date().toISOString())).toEqual({
        code: 0,
        out: expect.stringMatching(
          /^Purged 3 audit rows through row 3 \(chain position 3\); recorded as audit row 4, checkpoint .*checkpoint-000000000004-\w+\.json\.$/,
        ),
      });
      expect(await gov(env, "audit", "checkpoint")).toMatchObject({
        code: 0,
        out: expect.stringMatching(/^Already checkpointed: .*checkpoint-000000000004-\w+\.json \(row 4, chain position 4\)\.$/),
      });
      await database.use((d) => write(d, 2));
      expect(await gov(env, "audit", "checkpoint")).toMatchObject({ code: 0, out: expect.stringMatching(/^Checkpoint written: .*checkpoint-000000000006-/) });
      const intact = await gov(env, "audit", "verify");
      expect(intact.code).toBe(0);
      expect(intact.out.split("\n")).toEqual([
        `Audit log intact: 3 rows verified through row 6 (chain position 6); 2 checkpoints in ${dir}.`,
        expect.stringMatching(/^Last good checkpoint: checkpoint-000000000006-\w+\.json \(.*\), through row 6 \(chain position 6\)\.$/),
        expect.stringMatching(/^Positions 1–3 were purged by retention \(rows before .*\) on .* by cli: .*, audit row 4\.$/),
      ]);

      // A DBA deletes the two newest rows.
      await database.use((d) =>
        d.db.transaction(async (tx) => {
          await tx.execute(sql`set local session_replication_role = replica`);
          await tx.execute(sql`delete from audit_log where id > 4`);
        }),
      );
      const tampered = await gov(env, "audit", "verify");
      expect(tampered.code).toBe(3);
      expect(tampered.out).toContain("Audit log TAMPERED or unverifiable: 1 problem (1 row verified through row 4 (chain position 4)).");
      expect(tampered.out).toContain("  - The newest 2 rows are gone: chain positions 5–6, after row 4 through row 6;");
      expect(tampered.out).toMatch(/Last good checkpoint: checkpoint-000000000004-\w+\.json \(.*\), through row 4 \(chain position 4\)\./);
      const json = await gov(env, "audit", "verify", "--json");
      expect(json.code).toBe(3);
      expect(JSON.parse(json.out)).toMatchObject({
        ok: false,
        problems: [{ kind: "truncated", fromId: 4, toId: 6, rows: 2 }],
        checkpoints: { lastGood: { headId: 4 } },
      });

      // Without the key nothing can be vouched for: a different exit code, and why.
      const keyless = await gov({ ...env, AUDIT_KEY: "", DEMO: "0" }, "audit", "verify");
      expect(keyless.code).toBe(2);
      expect(keyless.out).toContain("No audit key is configured (AUDIT_KEY or AUDIT_KEY_FILE): row 4 cannot be verified.");

      // Retention refuses bad input, and a log that does not verify, changing nothing.
      expect(await gov(env, "audit", "purge", "--before", "2999-01-01")).toEqual({ code: 1, out: "Before must not be in the future." });
      expect(await gov(env, "audit", "purge", "--before", "yesterday")).toEqual({ code: 1, out: "Before must be a date." });
      expect(await gov(env, "audit", "purge", "--before", new Date().toISOString())).toEqual({
        code: 1,
        out: expect.stringContaining("The audit log does not verify, so nothing was purged"),
      });
      expect(await database.use(count)).toEqual({ n: 1 });
    } finally {
      await database.close();
    }
  });
});
