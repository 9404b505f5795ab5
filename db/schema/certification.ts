import { index, jsonb, pgEnum, pgTable, text, uuid } from "drizzle-orm/pg-core";
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
  fallbackReviewerId: uuid("fallback_reviewer_id").references(() => identities.id),
  ownerId: uuid("owner_id")
    .notNull()
    .references(() => identities.id),
  startsAt: tz("starts_at"),
  dueAt: tz("due_at"),
  launchedAt: tz("launched_at"),
  completedAt: tz("completed_at"),
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
    recommendation: text("recommendation"),
    recommendationReason: text("recommendation_reason"),
    decision: reviewDecision("decision"),
    decidedById: uuid("decided_by_id").references(() => identities.id),
    decidedAt: tz("decided_at"),
    comment: text("comment"),
    ...timestamps,
  },
  (t) => [index("review_items_campaign_idx").on(t.campaignId), index("review_items_reviewer_idx").on(t.reviewerId, t.decision)],
);
