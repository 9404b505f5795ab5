import { desc, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { identities, identityKinds, riskSnapshots } from "@/db/schema";
import { INVENTORY_READERS, hasRole, type Caller } from "@/lib/caller";
import { ForbiddenError } from "@/lib/errors";
import { INVENTORY_UNUSED_DAYS, inventoryTotalKeys, inventoryTotals, type InventoryTotals } from "@/lib/reconciliation/inventory-totals";

/** The reconciliation runs hourly (and after imports and actions): a snapshot older than two hours is a stalled one. */
const SNAPSHOT_FRESH_MS = 2 * 3_600_000;

/**
 * The first numbers a CISO asks for: orphans, overdue attestations, standing,
 * unused and unapproved privilege, stale credentials, identities by kind. As
 * the reconciliation's latest snapshot counted them (`asOf`), as the
 * dashboard shows them; before the first pass, counted now (`asOf` null).
 */
export async function inventorySummary(db: Tx, caller: Caller, unusedDays = INVENTORY_UNUSED_DAYS) {
  if (!hasRole(caller, ...INVENTORY_READERS)) throw new ForbiddenError();
  const [latest] = unusedDays === INVENTORY_UNUSED_DAYS ? await db.select().from(riskSnapshots).orderBy(desc(riskSnapshots.day)).limit(1) : [];
  const figures = latest?.figures ?? {};
  // A snapshot older than two reconciliation periods means the passes stopped: its figures would be stale, so count now.
  const fresh = latest && Date.now() - latest.computedAt.getTime() < SNAPSHOT_FRESH_MS;
  if (latest && fresh && inventoryTotalKeys.every((k) => typeof figures[`inventory.${k}`] === "number")) {
    const totals = Object.fromEntries(inventoryTotalKeys.map((k) => [k, figures[`inventory.${k}`]])) as InventoryTotals;
    const byKind = Object.entries(figures)
      .filter(([k]) => k.startsWith("identities.kind."))
      .map(([k, count]) => ({ kind: k.slice("identities.kind.".length) as (typeof identities.$inferSelect)["kind"], count }))
      // In the kinds' own order, as the live count's group by gives them.
      .sort((a, b) => identityKinds.indexOf(a.kind) - identityKinds.indexOf(b.kind));
    return { byKind, ...totals, unusedDays, asOf: latest.computedAt };
  }
  const byKind = await db
    .select({ kind: identities.kind, count: sql<number>`count(*)`.mapWith(Number) })
    .from(identities)
    .where(sql`${identities.status} = 'active'`)
    .groupBy(identities.kind)
    .orderBy(identities.kind);
  return { byKind, ...(await inventoryTotals(db, unusedDays)), unusedDays, asOf: null as Date | null };
}

export type InventorySummary = Awaited<ReturnType<typeof inventorySummary>>;
