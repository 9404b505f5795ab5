import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The capabilities of lib/ (its folders) depend on each other in one
 * direction: no folder reaches back to one that reaches it. File-level cycles
 * are ESLint's (import-x/no-cycle); this test holds the folder level, which a
 * file-level rule cannot see. Type-only imports do not count: they vanish at
 * run time and tie no behaviour together.
 */

const LIB = path.join(import.meta.dirname);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "testing" && dir === LIB ? [] : sourceFiles(full);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) && !e.name.startsWith("test-") ? [full] : [];
  });
}

/** The lib folder a file belongs to; a file directly in lib/ (errors.ts, caller.ts) stands for itself. */
const folderOf = (file: string) => {
  const rel = path.relative(LIB, file).split(path.sep);
  return rel.length > 1 ? rel[0] : rel[0].replace(/\.tsx?$/, ".ts");
};

const IMPORT = /^(?:import|export)\s+(type\s+)?(?:[^;]*?\s+from\s+)?"([^"]+)"/gm;

/** Folder → the folders it imports at run time. */
export function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(LIB)) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? graph.set(from, new Set()).get(from)!;
    for (const m of readFileSync(file, "utf8").matchAll(IMPORT)) {
      if (m[1]) continue;
      const spec = m[2];
      const target = spec.startsWith("@/lib/") ? path.join(LIB, spec.slice(6)) : spec.startsWith(".") ? path.resolve(path.dirname(file), spec) : null;
      if (!target || !target.startsWith(LIB + path.sep)) continue;
      const to = folderOf(target.endsWith(".ts") ? target : `${target}.ts`);
      if (to !== from) edges.add(to);
    }
  }
  return graph;
}

/** Strongly connected components of more than one folder (Tarjan). */
export function folderCycles(graph: Map<string, Set<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe("lib/'s capabilities", () => {
  it("import each other without cycles", () => {
    const graph = folderGraph();
    const cycles = folderCycles(graph).map((scc) => scc.map((f) => `${f} → ${[...graph.get(f)!].filter((t) => scc.includes(t)).join(", ")}`));
    expect(cycles).toEqual([]);
  });

  it("are seen by the check (a cycle made up for it is found)", () => {
    const made = new Map([
      ["a", new Set(["b"])],
      ["b", new Set(["c"])],
      ["c", new Set(["a"])],
      ["d", new Set(["a"])],
    ]);
    expect(folderCycles(made)).toEqual([["a", "b", "c"]]);
    expect(folderGraph().get("reconciliation")?.size).toBeGreaterThan(0);
  });
});
