import { readFileSync, readdirSync } from "node:fs";
import type { Reporter, TestCase, TestModule, Vitest } from "vitest/node";

/**
 * Bounds a wedged test run. A test or hook that overruns its timeout fails on
 * its own; but a worker whose event loop never comes back (a synchronous loop),
 * or that finishes its file without telling the pool so, holds the run for
 * ever: the pool awaits that message with no deadline. CI would then end at
 * its own time limit, saying nothing about where.
 *
 * When no test has finished for TEST_STALL_MINUTES (10 by default: well over
 * the longest test's and hook's timeouts), this names the files still running
 * and the last test that started in each, says whether their worker is busy
 * (running) or waiting, and kills the workers, so the run ends failed, with
 * those files reported as crashed, rather than never.
 */
export default class StallReporter implements Reporter {
  private readonly limitMs = stallLimitMs(process.env.TEST_STALL_MINUTES);
  private last = Date.now();
  private readonly running = new Map<string, string | null>();
  private timer: NodeJS.Timeout | null = null;
  private vitest: Vitest | null = null;

  onInit(vitest: Vitest) {
    this.vitest = vitest;
    this.timer = setInterval(() => this.check(), Math.min(30_000, this.limitMs / 4));
    this.timer.unref();
  }

  onTestModuleStart(module: TestModule) {
    this.last = Date.now();
    this.running.set(module.moduleId, null);
  }

  onTestCaseReady(test: TestCase) {
    this.running.set(test.module.moduleId, test.fullName);
  }

  onTestCaseResult() {
    this.last = Date.now();
  }

  onTestModuleEnd(module: TestModule) {
    this.last = Date.now();
    this.running.delete(module.moduleId);
  }

  onTestRunEnd() {
    if (this.timer) clearInterval(this.timer);
  }

  private check() {
    if (Date.now() - this.last < this.limitMs) return;
    const workers = workerProcesses();
    const lines = [
      `\nNo test has finished for ${Math.round((Date.now() - this.last) / 60_000)} minutes: the run is wedged.`,
      ...[...this.running].map(([file, test]) => `  still running: ${file}${test ? ` > ${test}` : " (before its first test)"}`),
      ...workers.map(
        (w) => `  worker ${w.pid}: ${w.state === "R" ? "busy (a synchronous loop?)" : `waiting (state ${w.state})`}, ${w.cpuSeconds.toFixed(1)} s of CPU`,
      ),
      "  Killing the workers so the run ends failed instead of never.",
    ];
    if (this.vitest) this.vitest.logger.error(lines.join("\n"));
    else console.error(lines.join("\n"));
    for (const w of workers) {
      try {
        process.kill(w.pid, "SIGKILL");
      } catch {
        // Exited meanwhile: a throw here would end the main process and orphan the other workers.
      }
    }
    this.last = Date.now();
  }
}

/**
 * TEST_STALL_MINUTES as milliseconds: a positive number of minutes, 10 when
 * unset. Anything else stops the run at once, saying why, rather than turning
 * into a limit of NaN that would kill every worker on the first check.
 */
export function stallLimitMs(raw: string | undefined): number {
  if (raw === undefined || raw === "") return 10 * 60_000;
  const minutes = Number(raw);
  if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 24 * 60)
    throw new Error(`TEST_STALL_MINUTES must be a number of minutes above 0 and at most 1440, not ${JSON.stringify(raw)}.`);
  return minutes * 60_000;
}

/** This process's vitest worker children, from /proc (CI runs on Linux; elsewhere none are found, and nothing is killed). */
function workerProcesses(): { pid: number; state: string; cpuSeconds: number }[] {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  const out: { pid: number; state: string; cpuSeconds: number }[] = [];
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // The command name is in parentheses and may hold spaces: fields are counted after its closing one.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) !== process.pid) continue;
      if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("vitest")) continue;
      out.push({ pid: Number(pid), state: fields[0], cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100 });
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}
