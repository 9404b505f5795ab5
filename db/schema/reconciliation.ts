import { date, index, integer, jsonb, pgTable, real, uuid } from "drizzle-orm/pg-core";
import { tz } from "./columns";
import { identities } from "./identity";

/**
 * Per identity, the reconciliation's verdict over the window: how much of its
 * privileged access is unused (creep score) and how many hours privileged
 * access was open versus used (exposure). Recomputed by the reconciliation
 * job, so dashboards and identity pages read it instead of recomputing.
 */
export const identityRisk = pgTable(
  "identity_risk",
  {
    identityId: uuid("identity_id")
      .primaryKey()
      .references(() => identities.id),
    windowDays: integer("window_days").notNull(),
    privilegedGrants: integer("privileged_grants").notNull(),
    unusedPrivileged: integer("unused_privileged").notNull(),
    // 0-100: the share of granted privileged access not used in the window.
    creepScore: integer("creep_score").notNull(),
    exposureHours: real("exposure_hours").notNull(),
    usedHours: real("used_hours").notNull(),
    unapprovedPairs: integer("unapproved_pairs").notNull(),
    activeAfterApproval: integer("active_after_approval").notNull(),
    computedAt: tz("computed_at").notNull(),
  },
  // The dashboard's top identities: most creep, then most unused privileged grants.
  (t) => [index("identity_risk_creep_idx").on(t.creepScore, t.unusedPrivileged)],
);

/** The day's figures, for trends: one row per UTC day, written by the daily snapshot job. */
export const riskSnapshots = pgTable("risk_snapshots", {
  day: date("day", { mode: "string" }).primaryKey(),
  figures: jsonb("figures").$type<Record<string, number>>().notNull(),
  computedAt: tz("computed_at").notNull(),
});
