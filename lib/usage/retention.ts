import { sql } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { queryRows } from "@/db/rows";
import { auditedTransaction, recordAudit, SYSTEM_ACTOR } from "@/lib/audit/record";

const DAY = 86_400_000;
/** Evidence from the future is a clock or a parser gone wrong: five minutes of skew are allowed. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** How long raw usage events are kept (`USAGE_RETENTION_DAYS`, default 400: a year's review plus a quarter). */
export function usageRetentionDays(value = process.env.USAGE_RETENTION_DAYS): number {
  const n = value === undefined || value === "" ? 400 : Number(value);
  if (!Number.isInteger(n) || n < 31 || n > 36_500) throw new Error(`USAGE_RETENTION_DAYS must be a whole number of days from 31 to 36500, not "${value}".`);
  return n;
}

/**
 * The times an event may have to be stored: not before the retention cutoff
 * (its month's partition may already be gone, and a re-import could no longer
 * see it was stored) and not in the future.
 */
export type StorableWindow = { from: Date; to: Date };

/** The storable window at `now`. */
export function storableWindow(now = new Date(), days = usageRetentionDays()): StorableWindow {
  return { from: new Date(now.getTime() - days * DAY), to: new Date(now.getTime() + CLOCK_SKEW_MS) };
}

/** Why an event time cannot be stored, or null when it can. */
export function unstorableReason(at: Date, window = storableWindow()): "older-than-retention" | "in-the-future" | null {
  const t = at.getTime();
  if (!(t >= window.from.getTime())) return "older-than-retention";
  if (t > window.to.getTime()) return "in-the-future";
  return null;
}

/** Creates the month partitions events from `first` to `last` land in (those missing; see migration 0024). */
export async function coverUsageMonths(tx: Db | Tx, first: Date, last: Date): Promise<void> {
  await tx.execute(sql`select usage_events_cover(${first.toISOString()}::timestamptz, ${last.toISOString()}::timestamptz)`);
}

type RetentionResult = { cutoff: Date; dropped: { partition: string; events: number }[]; created: number };

/**
 * Drops the month partitions of usage_events whose every event is older than
 * the retention cutoff (the roll-ups keep their summary), and creates this
 * month's and next month's partitions ahead of the writers. Each drop is
 * audited in its own transaction with the number of events it held.
 */
export async function applyUsageRetention(db: Db, now = new Date(), days = usageRetentionDays()): Promise<RetentionResult> {
  const cutoff = new Date(now.getTime() - days * DAY);
  const [{ created }] = await queryRows<{ created: number }>(
    db,
    sql`select usage_events_cover(${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz + interval '1 month') as created`,
  );
  const partitions = await queryRows<{ name: string }>(
    db,
    sql`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
        where i.inhparent = 'usage_events'::regclass order by c.relname`,
  );
  const dropped: RetentionResult["dropped"] = [];
  for (const p of partitions) {
    const month = /^usage_events_(\d{4})_(\d{2})$/.exec(p.name);
    if (!month) continue;
    const upper = new Date(Date.UTC(Number(month[1]), Number(month[2]), 1)); // the first instant of the next month
    if (upper.getTime() > cutoff.getTime()) continue;
    const events = await auditedTransaction(db, async (tx) => {
      // The name comes from the catalogue and matched the pattern above: safe to quote as an identifier.
      const [{ n }] = await queryRows<{ n: number }>(tx, sql`select count(*)::int as n from ${sql.identifier(p.name)}`);
      await tx.execute(sql`drop table ${sql.identifier(p.name)}`);
      await recordAudit(tx, SYSTEM_ACTOR, {
        action: "usage.retention",
        entityType: "usage_events",
        entityId: p.name,
        after: { events: n, before: upper.toISOString(), retentionDays: days },
      });
      return n;
    });
    dropped.push({ partition: p.name, events });
  }
  return { cutoff, dropped, created: Number(created) };
}
