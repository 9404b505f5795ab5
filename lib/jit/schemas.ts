import { z } from "zod";
import { activationModes, approverModes, jitRequestStatuses } from "@/db/schema";
import { pageFields } from "@/lib/paging";
import { dateTime, integer, text } from "@/lib/validation/fields";

/** Eligibility windows: from 15 minutes up to 14 days. */
export const MIN_POLICY_MINUTES = 15;
export const MAX_POLICY_MINUTES = 14 * 24 * 60;
/** Break-glass is for emergencies: at most four hours. */
export const MAX_BREAK_GLASS_MINUTES = 4 * 60;

const span = (m: number) => (m >= 1440 ? `${m / 1440} days` : m >= 60 ? `${m / 60} hours` : `${m} minutes`);

const minutes = (what: string, min: number, max: number) =>
  integer(what, min, max, {
    type: `${what} must be a whole number of minutes.`,
    min: `${what} is at least ${min} minutes.`,
    max: `${what} is at most ${max.toLocaleString("en")} minutes (${span(max)}).`,
  });

const idList = (what: string) =>
  z
    .array(z.uuid(`Each ${what} must be an id.`))
    .max(200, `At most 200 ${what}s.`)
    .default([]);

const policyFields = {
  name: text().trim().min(3, "Name the policy in at least 3 characters.").max(120, "Keep the name under 120 characters."),
  description: text().trim().max(2000, "Keep the description under 2,000 characters.").optional(),
  entitlementId: z.uuid("Choose the entitlement this policy makes requestable."),
  teamIds: idList("team"),
  identityIds: idList("identity"),
  maxDurationMinutes: minutes("The maximum duration", MIN_POLICY_MINUTES, MAX_POLICY_MINUTES),
  defaultDurationMinutes: minutes("The default duration", MIN_POLICY_MINUTES, MAX_POLICY_MINUTES),
  approvalsRequired: integer("Approvals", 1, 5, { min: "At least one approval (use auto-approval to skip approvers).", max: "At most 5 approvals." }),
  approverMode: z.enum(approverModes, { message: "Approvers are the approver group, the entitlement owner, or named people." }).default("approvers"),
  approverIds: idList("approver"),
  denyEndsRequest: z.boolean().default(true),
  requireJustification: z.boolean().default(true),
  requireTicket: z.boolean().default(false),
  autoApproveAll: z.boolean().default(false),
  autoApproveTeamIds: idList("auto-approved team"),
  pendingTimeoutMinutes: minutes("The pending timeout", 5, 7 * 24 * 60).default(60),
  breakGlass: z.boolean().default(false),
  breakGlassMaxMinutes: minutes("The break-glass maximum", MIN_POLICY_MINUTES, MAX_BREAK_GLASS_MINUTES).default(60),
  activation: z
    .enum(activationModes, { message: "Activation grants membership, issues a short-lived credential, or both (membership, credential, both)." })
    .default("membership"),
  // Written into each SSH certificate as its source-address option: sshd refuses it from anywhere else.
  sourceAddresses: z
    .array(
      z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], {
        message: "Each source address is an IPv4 or IPv6 address or network, such as 10.20.0.0/16 or 2001:db8::/32.",
      }),
    )
    .max(32, "At most 32 source addresses.")
    .default([]),
};

type PolicyShape = { [K in keyof typeof policyFields]: z.output<(typeof policyFields)[K]> };

// Cross-field rules run once each field is valid on its own, so one mistake gets one message.
const whenFieldsValid = { when: (payload: { issues: unknown[] }) => payload.issues.length === 0 };

// Rules that hold for a whole policy, whether created or edited.
const policyRules = <T extends z.ZodType<Partial<PolicyShape>>>(schema: T) =>
  schema
    .refine((p) => p.defaultDurationMinutes === undefined || p.maxDurationMinutes === undefined || p.defaultDurationMinutes <= p.maxDurationMinutes, {
      message: "The default duration cannot exceed the maximum.",
      path: ["defaultDurationMinutes"],
      ...whenFieldsValid,
    })
    .refine((p) => p.approverMode !== "named" || (p.approverIds?.length ?? 0) >= (p.approvalsRequired ?? 1), {
      message: "Name at least as many approvers as approvals required.",
      path: ["approverIds"],
      ...whenFieldsValid,
    })
    .refine((p) => p.approverMode === "named" || !p.approverIds || p.approverIds.length === 0, {
      message: "Named approvers need the named approver mode.",
      path: ["approverIds"],
      ...whenFieldsValid,
    })
    // Only a policy that allows break-glass has a break-glass maximum to keep under its maximum: a 15-minute
    // policy without break-glass must not fail on the (unused) 60-minute default.
    .refine((p) => !p.breakGlass || !p.breakGlassMaxMinutes || !p.maxDurationMinutes || p.breakGlassMaxMinutes <= p.maxDurationMinutes, {
      message: "Break-glass cannot last longer than the policy's maximum.",
      path: ["breakGlassMaxMinutes"],
      ...whenFieldsValid,
    });

export const policyInput = policyRules(z.object(policyFields).strict());
export type PolicyInput = z.input<typeof policyInput>;

/** An edit names only what changes; the merged policy is checked again as a whole. */
export const policyPatch = z.object(policyFields).omit({ entitlementId: true, identityIds: true }).partial().strict();

export const eligibleIdentitiesInput = z
  .object({
    identityIds: z.array(z.uuid("Each identity must be an id.")).min(1, "Choose at least one identity.").max(200, "At most 200 identities at once."),
    expiresAt: dateTime("The end of eligibility").optional(),
  })
  .strict();

export const convertInput = z
  .object({
    grantIds: z.array(z.uuid("Each grant must be an id.")).min(1, "Choose at least one standing grant.").max(500, "Convert at most 500 grants at once."),
    // Without one, each grant's entitlement gets (or reuses) a default policy.
    policyId: z.uuid("The policy must be an id.").optional(),
    reason: text().trim().max(2000).optional(),
  })
  .strict();

const ticketPattern = /^[A-Za-z0-9][A-Za-z0-9._#/:-]{1,63}$/;

export const requestInput = z
  .object({
    entitlementId: z.uuid("Choose what to request."),
    // The policy's maximum is checked against the request; no policy allows more than 14 days.
    durationMinutes: integer("Duration", 1, MAX_POLICY_MINUTES, {
      type: "Duration must be whole minutes.",
      min: "Ask for at least 1 minute.",
      max: `Duration is at most ${MAX_POLICY_MINUTES.toLocaleString("en")} minutes (14 days).`,
    }).optional(),
    // Absent: as soon as approved.
    startAt: dateTime("Start").optional(),
    justification: text().trim().max(2000, "Keep the justification under 2,000 characters.").optional(),
    ticket: text().trim().regex(ticketPattern, "A ticket reference is 2 to 64 letters, digits and . _ # / : - (e.g. INC-4211).").optional(),
    breakGlass: z.boolean().default(false),
  })
  .strict()
  .refine((r) => !r.breakGlass || !r.startAt, { message: "Break-glass starts now; it cannot be scheduled.", path: ["startAt"] })
  .refine((r) => !r.breakGlass || (r.justification?.length ?? 0) >= 10, {
    message: "Say what the emergency is (at least 10 characters).",
    path: ["justification"],
  });
export type RequestInput = z.input<typeof requestInput>;

export const approveInput = z.object({ comment: text().trim().max(2000, "Keep the comment under 2,000 characters.").optional() }).strict();
export const denyInput = z
  .object({
    comment: text({ message: "Say why the request is denied." })
      .trim()
      .min(3, "Say why the request is denied.")
      .max(2000, "Keep the comment under 2,000 characters."),
  })
  .strict();
export const revokeInput = z
  .object({
    reason: text({ message: "Say why the elevation is revoked." })
      .trim()
      .min(3, "Say why the elevation is revoked.")
      .max(2000, "Keep the reason under 2,000 characters."),
  })
  .strict();
export const releaseInput = z.object({ comment: text().trim().max(2000).optional() }).strict();
export const postReviewInput = z
  .object({
    outcome: z.enum(["confirm", "escalate"], { message: "Confirm the break-glass use or escalate it." }),
    comment: text().trim().max(2000, "Keep the comment under 2,000 characters.").optional(),
  })
  .strict()
  .refine((r) => r.outcome !== "escalate" || (r.comment?.length ?? 0) >= 3, { message: "Say why the use is escalated.", path: ["comment"] });

const flag = z.enum(["0", "1"], { message: "Use 0 or 1." }).optional();

export const requestListQuery = z.object({
  // mine: asked by or for the caller; approvals: waiting for the caller's decision; all: everything the caller may see.
  scope: z.enum(["mine", "approvals", "all"], { message: "Scope is mine, approvals or all." }).default("mine"),
  status: z.enum([...jitRequestStatuses, "open"], { message: `Status is open or one of: ${jitRequestStatuses.join(", ")}.` }).optional(),
  breakGlass: flag,
  // Break-glass uses still waiting for an approver's confirmation.
  postReview: flag,
  q: text().trim().max(200, "Keep the search under 200 characters.").optional(),
  identityId: z.uuid("The identity must be an id.").optional(),
  entitlementId: z.uuid("The entitlement must be an id.").optional(),
  from: dateTime("From").optional(),
  to: dateTime("To").optional(),
  ...pageFields,
});
export type RequestListQuery = z.output<typeof requestListQuery>;
