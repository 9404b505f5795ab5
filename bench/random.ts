/**
 * Seeded, deterministic randomness for benchmarks (mulberry32): the same seed
 * generates the same data on every machine, so figures compare across runs.
 */
export type Random = {
  /** A float in [0, 1). */
  next: () => number;
  /** An integer in [min, max], both included. */
  int: (min: number, max: number) => number;
  /** True with probability p. */
  chance: (p: number) => boolean;
  pick: <T>(list: readonly T[]) => T;
  /** Early entries far more often than late ones (Zipf-ish). */
  skewed: <T>(list: readonly T[]) => T;
  /** `n` distinct entries of `list` (all of it when it is shorter), in the order drawn. */
  sample: <T>(list: readonly T[], n: number) => T[];
  /** Upper-case hexadecimal digits. */
  hex: (n: number) => string;
};

export function seeded(seed: number): Random {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (list) => list[Math.floor(next() * list.length)],
    skewed: (list) => list[Math.floor(list.length * next() * next())],
    sample: (list, n) => {
      const want = Math.min(n, list.length);
      const chosen = new Set<number>();
      // Bounded: at most 20 draws per wanted entry, then the first ones not taken.
      for (let tries = 0; chosen.size < want && tries < want * 20; tries++) chosen.add(Math.floor(next() * list.length));
      for (let i = 0; chosen.size < want && i < list.length; i++) chosen.add(i);
      return [...chosen].map((i) => list[i]);
    },
    hex: (n) => Array.from({ length: n }, () => "0123456789ABCDEF"[Math.floor(next() * 16)]).join(""),
  };
}
