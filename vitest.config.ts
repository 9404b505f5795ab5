import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["lib/**/*.test.ts", "db/**/*.test.ts"],
    globalSetup: ["lib/testing/global-setup.ts"],
    // Audit rows are signed with a key kept outside the database (db/audit-key.ts); tests
    // use a fixed one and keep their checkpoints out of ./.data.
    // Test files share one database on PostgreSQL and send bad tokens from the same
    // (absent) address: the failure limit is set out of reach, except in the test of it.
    env: {
      AUDIT_KEY: "test-only-audit-key-not-for-production-0000",
      AUDIT_CHECKPOINT_DIR: path.join(tmpdir(), `gov-test-audit-checkpoints-${process.pid}`),
      AUTH_FAILURE_LIMIT: "1000000",
    },
    // A wedged worker ends the run failed, naming its file, instead of holding it for ever.
    reporters: ["default", "./lib/testing/stall-reporter.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // next-auth imports "next/server" without an extension; inlined, Vite resolves it as Next does.
    server: { deps: { inline: ["next-auth"] } },
  },
});
