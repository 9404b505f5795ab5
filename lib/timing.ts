/**
 * Milliseconds per named phase of a long operation (an import, an analysis),
 * reported in its summary for benchmarks and logs. `phase(name)` closes the
 * phase that started at the previous mark; a name used twice accumulates.
 */
export function phaseTimer() {
  const phases: Record<string, number> = {};
  let mark = performance.now();
  return {
    phases,
    phase: (name: string) => {
      const t = performance.now();
      phases[name] = (phases[name] ?? 0) + Math.round(t - mark);
      mark = t;
    },
    /** Starts the next phase now, without charging the time since the last mark to any phase. */
    restart: () => {
      mark = performance.now();
    },
  };
}
