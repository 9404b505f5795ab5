import { type AnyPgColumn, index, integer, jsonb, pgEnum, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { id, timestamps, tz } from "./columns";
import { entitlements, grants } from "./access";
import { identities } from "./identity";

export const campaignStatus = pgEnum("campaign_status", ["draft", "active", "completed", "cancelled"]);
export const reviewDecision = pgEnum("review_decision", ["certify", "revoke", "reassign"]);

export const campaigns = pgTable("campaigns", {
  id: id(),
  name: text("name").notNull(),
  description: text("description"),
  status: campaignStatus("status").notNull().default("draft"),
  // Which grants are in scope; its shape is validated in lib/certification.
  scope: jsonb("scope").notNull().default({}),
  reviewerStrategy: text("reviewer_strategy").notNull().default("owner_or_manager"),
  // For the "named" strategy: items are spread across these reviewers.
  reviewerIds: jsonb("reviewer_ids").$type<string[]>().notNull().default([]),
  fallbackReviewerId: uuid("fallback_reviewer_id").references(() => identities.id),
  ownerId: uuid("owner_id")
    .notNull()
    .references(() => identities.id),
  // One stage, or two where a second reviewer confirms the first one's decisions.
  stages: integer("stages").notNull().default(1),
  recurrence: text("recurrence", { enum: ["none", "weekly", "monthly", "quarterly", "half_yearly", "yearly"] }).notNull().default("none"),
  // Days before the due date on which undecided reviewers are reminded.
  reminderDays: jsonb("reminder_days").$type<number[]>().notNull().default([7, 3, 1]),
  // What happens to items still undecided at the due date.
  undecidedAction: text("undecided_action", { enum: ["keep", "revoke", "recommendation"] }).notNull().default("keep"),
  // A revoke decision ends the grant at decision time or when the campaign closes.
  revokeAt: text("revoke_at", { enum: ["decision", "close"] }).notNull().default("decision"),
  unusedWindowDays: integer("unused_window_days").notNull().default(90),
  // The campaign this one recurs from.
  previousId: uuid("previous_id").references((): AnyPgColumn => campaigns.id),
  startsAt: tz("starts_at"),
  dueAt: tz("due_at"),
  launchedAt: tz("launched_at"),
  completedAt: tz("completed_at"),
  signedOffAt: tz("signed_off_at"),
  signedOffById: uuid("signed_off_by_id").references(() => identities.id),
  ...timestamps,
});

export const reviewItems = pgTable(
  "review_items",
  {
    id: id(),
    campaignId: uuid("campaign_id")
      .notNull()
      .references(() => campaigns.id),
    grantId: uuid("grant_id")
      .notNull()
      .references(() => grants.id),
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id),
    entitlementId: uuid("entitlement_id")
      .notNull()
      .references(() => entitlements.id),
    reviewerId: uuid("reviewer_id")
      .notNull()
      .references(() => identities.id),
    stage: integer("stage").notNull().default(1),
    // Why this reviewer: the strategy, or the separation-of-duties fallback.
    routing: text("routing"),
    recommendation: text("recommendation"),
    recommendationReason: text("recommendation_reason"),
    decision: reviewDecision("decision"),
    decidedById: uuid("decided_by_id").references(() => identities.id),
    decidedAt: tz("decided_at"),
    comment: text("comment"),
    ...timestamps,
  },
  (t) => [
    index("review_items_campaign_idx").on(t.campaignId, t.reviewerId),
    index("review_items_reviewer_idx").on(t.reviewerId, t.decision),
  ],
);
