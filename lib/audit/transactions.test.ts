import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(root, dir), { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.tsx?$/.test(entry.name) || /\.test\.tsx?$/.test(entry.name)) continue;
    out.push(path.relative(root, path.join(entry.parentPath, entry.name)));
  }
  return out;
}

/**
 * The rule for writes: every transaction in the product runs through
 * auditedTransaction (lib/audit/record.ts), whether it records audit rows or
 * not, so an audited change never takes the chain's lock early. Only the audit
 * module itself opens a plain transaction: the purge writes the chain directly.
 */
describe("one transaction idiom", () => {
  it("opens no plain db.transaction outside the audit module", async () => {
    const allowed = new Set(["lib/audit/record.ts", "lib/audit/purge.ts"]);
    const offenders: string[] = [];
    for (const dir of ["app", "components", "lib"]) {
      for (const file of await sources(dir)) {
        // Test support sets up data, which is not a product write (benchmarks live outside, in bench/).
        if (allowed.has(file) || file.startsWith("lib/testing/") || /(^|\/)test-[\w-]+\.ts$/.test(file)) continue;
        const text = await readFile(path.join(root, file), "utf8");
        text.split("\n").forEach((line, i) => {
          if (/\.transaction\(/.test(line)) offenders.push(`${file}:${i + 1}`);
        });
      }
    }
    expect(offenders).toEqual([]);
  });
});
