import { boolean, index, integer, pgEnum, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamps, tz } from "./columns";
import { entitlements, grants } from "./access";
import { identities, teams } from "./identity";

/** Who may request which privileged entitlement, for how long, approved by whom. */
export const eligibilityPolicies = pgTable("eligibility_policies", {
  id: id(),
  name: text("name").notNull(),
  entitlementId: uuid("entitlement_id")
    .notNull()
    .references(() => entitlements.id),
  // Exactly one of these names the eligible subjects.
  identityId: uuid("identity_id").references(() => identities.id),
  teamId: uuid("team_id").references(() => teams.id),
  maxDurationMinutes: integer("max_duration_minutes").notNull().default(60),
  defaultDurationMinutes: integer("default_duration_minutes").notNull().default(60),
  approvalsRequired: integer("approvals_required").notNull().default(1),
  requireJustification: boolean("require_justification").notNull().default(true),
  requireTicket: boolean("require_ticket").notNull().default(false),
  pendingTimeoutMinutes: integer("pending_timeout_minutes").notNull().default(60),
  breakGlass: boolean("break_glass").notNull().default(false),
  ...timestamps,
});

export const jitRequestStatus = pgEnum("jit_request_status", [
  "pending",
  "approved",
  "denied",
  "active",
  "expired",
  "released",
  "revoked",
  "cancelled",
]);

export const jitRequests = pgTable(
  "jit_requests",
  {
    id: id(),
    requesterId: uuid("requester_id")
      .notNull()
      .references(() => identities.id),
    // The identity that receives the elevation (a pipeline may ask for itself).
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id),
    entitlementId: uuid("entitlement_id")
      .notNull()
      .references(() => entitlements.id),
    policyId: uuid("policy_id").references(() => eligibilityPolicies.id),
    status: jitRequestStatus("status").notNull().default("pending"),
    durationMinutes: integer("duration_minutes").notNull(),
    startsAt: tz("starts_at"),
    justification: text("justification"),
    ticket: text("ticket"),
    breakGlass: boolean("break_glass").notNull().default(false),
    grantId: uuid("grant_id").references(() => grants.id),
    decidedAt: tz("decided_at"),
    ...timestamps,
  },
  (t) => [index("jit_requests_requester_idx").on(t.requesterId), index("jit_requests_status_idx").on(t.status)],
);

export const jitApprovals = pgTable(
  "jit_approvals",
  {
    id: id(),
    requestId: uuid("request_id")
      .notNull()
      .references(() => jitRequests.id),
    approverId: uuid("approver_id")
      .notNull()
      .references(() => identities.id),
    decision: text("decision", { enum: ["approve", "deny"] }).notNull(),
    comment: text("comment"),
    createdAt: tz("created_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("jit_approvals_request_approver_key").on(t.requestId, t.approverId)],
);
