import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { stallLimitMs } from "./stall-reporter";

const ROOT = path.resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(path.join(tmpdir(), "gov-stall-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("ends a run whose worker never comes back, failed, naming the file and saying the worker was busy", () => {
  // Busy for a minute, far past the limit, then done: a worker this test failed to stop must not spin for ever.
  writeFileSync(
    path.join(dir, "spin.test.ts"),
    'import { it } from "vitest";\nit("spins", () => {\n  const end = Date.now() + 60_000;\n  while (Date.now() < end);\n});\n',
  );
  writeFileSync(
    path.join(dir, "vitest.config.mjs"),
    `export default { test: { include: ["spin.test.ts"], reporters: ["default", ${JSON.stringify(path.join(ROOT, "lib/testing/stall-reporter.ts"))}] } };\n`,
  );
  const run = spawnSync(process.execPath, [path.join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--root", dir], {
    env: { ...process.env, TEST_STALL_MINUTES: "0.05", NO_COLOR: "1" },
    encoding: "utf8",
    // Bounded here too: a reporter that failed to end the run must fail this test, not hang it.
    timeout: 50_000,
  });
  const output = run.stdout + run.stderr;
  expect(run.error).toBeUndefined();
  expect(run.status).toBe(1);
  expect(output).toContain("the run is wedged");
  expect(output).toContain(`still running: ${path.join(dir, "spin.test.ts")}`);
  expect(output).toMatch(/worker \d+: busy \(a synchronous loop\?\)/);
});

it("reads TEST_STALL_MINUTES as a positive number of minutes, and refuses anything else by name", () => {
  expect(stallLimitMs(undefined)).toBe(600_000);
  expect(stallLimitMs("")).toBe(600_000);
  expect(stallLimitMs("0.5")).toBe(30_000);
  for (const bad of ["abc", "0", "-3", "1e308", "Infinity", "NaN", "5\u0000", "\ud800"]) expect(() => stallLimitMs(bad)).toThrow(/^TEST_STALL_MINUTES must be/);
});
