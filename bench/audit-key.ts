/**
 * Benchmarks seed throwaway databases, usually PostgreSQL without demo mode,
 * where audit rows need a configured key: sign them with a fixed one unless a
 * key is configured. Set before anything is written, and inherited by the
 * servers and commands a benchmark starts, so they all sign one chain.
 */
export function useBenchAuditKey() {
  if (!process.env.AUDIT_KEY && !process.env.AUDIT_KEY_FILE) process.env.AUDIT_KEY = "bench-only-audit-key-not-for-production-0000";
}
