import { readdir, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import type { SourceFile } from "./source";

const gunzipAsync = promisify(gunzip);

type LogFormat<R> = {
  /** Files a directory search takes, by name (a file named outright is read whatever its name). */
  accept: (name: string) => boolean;
  /** Directories a search does not enter. */
  skipDirectory?: (name: string) => boolean;
  /** A file's records from its text; throws when the file is not of the format. */
  parse: (text: string) => R[];
};

async function collect(dir: string, format: LogFormat<unknown>, out: Set<string>, visited: Set<string>): Promise<void> {
  const real = await realpath(dir);
  if (visited.has(real)) return; // symlink loops
  visited.add(real);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const s = await stat(full).catch(() => null);
      isDir = s?.isDirectory() ?? false;
      isFile = s?.isFile() ?? false;
    }
    if (isDir) {
      if (!format.skipDirectory?.(entry.name)) await collect(full, format, out, visited);
    } else if (isFile && format.accept(entry.name)) out.add(path.resolve(full));
  }
}

/**
 * Reads log files for a usage source: each path a file or a directory searched
 * recursively, gzip recognised by its magic bytes whatever the name. Files are
 * read in sorted path order, one at a time, so memory stays at one file's
 * worth. A file that cannot be read or parsed yields `{ file, error }` instead
 * of throwing: one bad object in a bucket sync does not stop an import.
 */
export async function* readLogFiles<R>(paths: string[], format: LogFormat<R>): AsyncGenerator<SourceFile<R>> {
  const files = new Set<string>();
  const visited = new Set<string>();
  const problems: SourceFile<R>[] = [];
  for (const p of paths) {
    try {
      const s = await stat(p);
      if (s.isDirectory()) await collect(p, format, files, visited);
      else files.add(path.resolve(p));
    } catch (err) {
      problems.push({ file: p, error: (err as Error).message });
    }
  }
  yield* problems;
  for (const file of [...files].sort()) {
    try {
      let data = await readFile(file);
      if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) data = await gunzipAsync(data);
      const text = data.toString("utf8");
      yield { file, records: format.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) };
    } catch (err) {
      yield { file, error: (err as Error).message };
    }
  }
}

/** A line that is not JSON, kept as such so the import counts it instead of losing it silently. */
export type UnreadableLine = { unreadableLine: number };

/** JSON lines (one object per line, blank lines ignored), as log backends write them. */
export function parseJsonLines(text: string): unknown[] {
  const out: unknown[] = [];
  let start = 0;
  for (let n = 1; start < text.length; n++) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (!line) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      out.push({ unreadableLine: n } satisfies UnreadableLine);
    }
  }
  return out;
}
