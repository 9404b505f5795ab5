import { z } from "zod";
import { identityKinds, privilegeLevels } from "@/db/schema";
import { dateTime, integer, text } from "@/lib/validation/fields";

const ids = (what: string) =>
  z
    .array(z.uuid(`Each ${what} must be an id.`))
    .max(500, `At most 500 ${what}s.`)
    .default([]);

/** Which grants a campaign reviews. Empty lists mean "any". */
export const campaignScope = z
  .object({
    systemIds: ids("system"),
    entitlementIds: ids("entitlement"),
    // Targeted reviews: one person's access after a move, or the grants behind selected findings.
    identityIds: ids("identity"),
    grantIds: z.array(z.uuid("Each grant must be an id.")).max(10_000, "At most 10,000 grants.").default([]),
    privilegeLevels: z.array(z.enum(privilegeLevels, { message: `Privilege levels are: ${privilegeLevels.join(", ")}.` })).default([]),
    identityKinds: z.array(z.enum(identityKinds, { message: `Identity kinds are: ${identityKinds.join(", ")}.` })).default([]),
    ownerIds: ids("owner"),
    onlyPrivileged: z.boolean().default(false),
    unusedForDays: integer("Unused-for", 1, 3650, {
      type: "Unused-for must be a whole number of days.",
      min: "Unused-for is at least 1 day.",
      max: "Unused-for is at most 3,650 days.",
    }).optional(),
  })
  .strict();
export type CampaignScope = z.output<typeof campaignScope>;

export const reviewerStrategies = ["owner_or_manager", "entitlement_owner", "named"] as const;

export const campaignInput = z
  .object({
    name: text().trim().min(3, "Name the campaign in at least 3 characters.").max(120, "Keep the name under 120 characters."),
    description: text().trim().max(2000, "Keep the description under 2,000 characters.").optional(),
    scope: campaignScope.default(campaignScope.parse({})),
    reviewerStrategy: z.enum(reviewerStrategies, { message: "Reviewers are the identity owner or manager, the entitlement owner, or named people." }),
    reviewerIds: z.array(z.uuid("Each reviewer must be a person id.")).max(100).default([]),
    fallbackReviewerId: z.uuid("Choose a fallback reviewer."),
    stages: z.union([z.literal(1), z.literal(2)], { message: "A campaign has one or two stages." }).default(1),
    secondStageReviewerIds: z.array(z.uuid("Each second-stage reviewer must be a person id.")).max(100).default([]),
    startsAt: dateTime("Start"),
    dueAt: dateTime("Due date"),
    recurrence: z
      .enum(["none", "weekly", "monthly", "quarterly", "half_yearly", "yearly"], {
        message: "Recurrence is none, weekly, monthly, quarterly, half_yearly or yearly.",
      })
      .default("none"),
    reminderDays: z
      .array(integer("A reminder", 0, 90, { type: "Reminders are whole numbers of days.", max: "Reminders are at most 90 days before the due date." }))
      .max(10, "At most 10 reminders.")
      .default([7, 3, 1]),
    undecidedAction: z
      .enum(["keep", "revoke", "recommendation"], { message: "Undecided items are kept, revoked, or follow the recommendation." })
      .default("keep"),
    revokeAt: z.enum(["decision", "close"], { message: "Revocations happen at decision time or at close." }).default("decision"),
    unusedWindowDays: integer("The unused window", 7, 365, {
      min: "The unused window is at least 7 days.",
      max: "The unused window is at most 365 days.",
    }).default(90),
  })
  .strict()
  .refine((c) => c.dueAt > c.startsAt, { message: "The due date must be after the start.", path: ["dueAt"] })
  .refine((c) => c.reviewerStrategy !== "named" || c.reviewerIds.length > 0, { message: "Name at least one reviewer.", path: ["reviewerIds"] })
  .refine((c) => c.stages === 1 || c.secondStageReviewerIds.length > 0, {
    message: "Name who confirms decisions in the second stage.",
    path: ["secondStageReviewerIds"],
  })
  .refine((c) => c.stages === 2 || c.secondStageReviewerIds.length === 0, {
    message: "Second-stage reviewers need a two-stage campaign.",
    path: ["secondStageReviewerIds"],
  });
export type CampaignInput = z.input<typeof campaignInput>;

export const decisionInput = z
  .object({
    itemIds: z.array(z.uuid("Each item must be an id.")).min(1, "Choose at least one item.").max(500, "Decide at most 500 items at once."),
    decision: z.enum(["certify", "revoke", "reassign"], { message: "Decide certify, revoke or reassign." }),
    comment: text().trim().max(2000, "Keep the comment under 2,000 characters.").optional(),
    reassignTo: z.uuid("Choose the reviewer to reassign to.").optional(),
  })
  .strict()
  .refine((d) => d.decision !== "reassign" || d.reassignTo, { message: "Choose the reviewer to reassign to.", path: ["reassignTo"] })
  .refine((d) => d.decision !== "revoke" || (d.comment && d.comment.length >= 3), { message: "Say why the access is revoked.", path: ["comment"] });

export const closeInput = z.object({ reason: text().trim().max(2000).optional() }).strict();
export const cancelInput = z.object({ reason: text().trim().min(3, "Say why the campaign is cancelled.").max(2000) }).strict();
export const signOffInput = z.object({ comment: text().trim().max(2000).optional() }).strict();
