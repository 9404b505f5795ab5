import { sql } from "drizzle-orm";
import { type AnyPgColumn, index, integer, jsonb, pgEnum, pgTable, primaryKey, smallint, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamps, tz } from "./columns";
import { grants } from "./access";
import { identities } from "./identity";

export const campaignStatus = pgEnum("campaign_status", ["draft", "active", "completed", "cancelled"]);
export const reviewDecision = pgEnum("review_decision", ["certify", "revoke", "reassign"]);

export const campaigns = pgTable(
  "campaigns",
  {
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
    // Stage two's reviewers (a security or risk team); items are spread across them.
    secondStageReviewerIds: jsonb("second_stage_reviewer_ids").$type<string[]>().notNull().default([]),
    recurrence: text("recurrence", { enum: ["none", "weekly", "monthly", "quarterly", "half_yearly", "yearly"] })
      .notNull()
      .default("none"),
    // Days before the due date on which undecided reviewers are reminded.
    reminderDays: jsonb("reminder_days").$type<number[]>().notNull().default([7, 3, 1]),
    // What happens to items still undecided at the due date.
    undecidedAction: text("undecided_action", { enum: ["keep", "revoke", "recommendation"] })
      .notNull()
      .default("keep"),
    // A revoke decision ends the grant at decision time or when the campaign closes.
    revokeAt: text("revoke_at", { enum: ["decision", "close"] })
      .notNull()
      .default("decision"),
    unusedWindowDays: integer("unused_window_days").notNull().default(90),
    // The campaign this one recurs from.
    previousId: uuid("previous_id").references((): AnyPgColumn => campaigns.id),
    startsAt: tz("starts_at"),
    dueAt: tz("due_at"),
    launchedAt: tz("launched_at"),
    completedAt: tz("completed_at"),
    // What the close did: undecided items and how they were settled, revocations carried out.
    closeSummary: jsonb("close_summary"),
    cancelledAt: tz("cancelled_at"),
    cancelReason: text("cancel_reason"),
    signedOffAt: tz("signed_off_at"),
    signedOffById: uuid("signed_off_by_id").references(() => identities.id),
    signOffComment: text("sign_off_comment"),
    ...timestamps,
  },
  (t) => [
    // A recurring campaign has at most one next instance, however often the scheduler runs.
    uniqueIndex("campaigns_previous_key").on(t.previousId),
  ],
);

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
    // Copies of the grant's own (a grant never changes identity or
    // entitlement), kept for filtering; the grant's foreign key guards them, and
    // checking them again would cost every launch two lookups per item.
    identityId: uuid("identity_id").notNull(),
    entitlementId: uuid("entitlement_id").notNull(),
    reviewerId: uuid("reviewer_id")
      .notNull()
      .references(() => identities.id),
    stage: integer("stage").notNull().default(1),
    // A stage-two item confirms this stage-one item's decision.
    previousItemId: uuid("previous_item_id").references((): AnyPgColumn => reviewItems.id),
    // Copied from the campaign and the entitlement at launch, so a reviewer's
    // queue is read in order from one index without joining every item.
    dueAt: tz("due_at"),
    privilegeRank: smallint("privilege_rank").notNull().default(0),
    // Why this reviewer: the strategy, or the separation-of-duties fallback.
    routing: text("routing"),
    recommendation: text("recommendation"),
    recommendationReason: text("recommendation_reason"),
    decision: reviewDecision("decision"),
    decidedById: uuid("decided_by_id").references(() => identities.id),
    decidedAt: tz("decided_at"),
    comment: text("comment"),
    // Settled by the campaign's rule at close rather than by a person.
    autoDecided: text("auto_decided", { enum: ["revoke", "recommendation"] }),
    // Set when the campaign ended with the item still open (kept as it was).
    closedAt: tz("closed_at"),
    ...timestamps,
  },
  (t) => [
    index("review_items_campaign_idx").on(t.campaignId, t.reviewerId),
    index("review_items_queue_idx")
      .on(t.reviewerId, t.dueAt, t.privilegeRank.desc(), t.id)
      .where(sql`${t.decision} is null and ${t.closedAt} is null`),
    uniqueIndex("review_items_previous_key")
      .on(t.previousItemId)
      .where(sql`${t.previousItemId} is not null`),
  ],
);

/** Reminders already sent, so a reminder goes out once per campaign and lead time. */
export const campaignReminders = pgTable(
  "campaign_reminders",
  {
    campaignId: uuid("campaign_id")
      .notNull()
      .references(() => campaigns.id),
    daysBefore: integer("days_before").notNull(),
    sentAt: tz("sent_at").notNull().defaultNow(),
    recipients: integer("recipients").notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.daysBefore] })],
);
