import { sql } from "drizzle-orm";
import { boolean, index, integer, pgEnum, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamps, tz } from "./columns";
import { eligibilityPolicies, entitlements, grants } from "./access";
import { identities } from "./identity";

/**
 * Stored statuses. approved/active and pending are refined at read time
 * (jitDisplayStatus): a window that has passed reads as expired, a pending
 * request past its deadline as timed out, whether or not a job has run yet.
 */
export const jitRequestStatuses = ["pending", "approved", "denied", "active", "expired", "released", "revoked", "cancelled", "timed_out"] as const;
export type JitRequestStatus = (typeof jitRequestStatuses)[number];
export const jitRequestStatus = pgEnum("jit_request_status", jitRequestStatuses);
export const postReviewStatus = pgEnum("post_review_status", ["pending", "confirmed", "escalated"]);

export const jitRequests = pgTable(
  "jit_requests",
  {
    id: id(),
    // Who asked: a person, or an NHI through its API token.
    requesterId: uuid("requester_id")
      .notNull()
      .references(() => identities.id),
    // Who receives the elevation (today always the requester).
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id),
    entitlementId: uuid("entitlement_id")
      .notNull()
      .references(() => entitlements.id),
    policyId: uuid("policy_id")
      .notNull()
      .references(() => eligibilityPolicies.id),
    status: jitRequestStatus("status").notNull().default("pending"),
    durationMinutes: integer("duration_minutes").notNull(),
    // Null: as soon as approved. Otherwise the window opens then.
    requestedStartAt: tz("requested_start_at"),
    justification: text("justification"),
    ticket: text("ticket"),
    breakGlass: boolean("break_glass").notNull().default(false),
    // Snapshot of the policy's terms at request time: later policy edits do not move the goalposts.
    approvalsRequired: integer("approvals_required").notNull(),
    approverIds: uuid("approver_ids").array().notNull(),
    denyEndsRequest: boolean("deny_ends_request").notNull(),
    pendingUntil: tz("pending_until").notNull(),
    grantId: uuid("grant_id").references(() => grants.id),
    // The window, copied from the grant when approved.
    startsAt: tz("starts_at"),
    expiresAt: tz("expires_at"),
    decidedAt: tz("decided_at"),
    endedAt: tz("ended_at"),
    endedById: uuid("ended_by_id").references(() => identities.id),
    endReason: text("end_reason"),
    // Break-glass use is confirmed or escalated by an approver afterwards.
    postReviewStatus: postReviewStatus("post_review_status"),
    postReviewedById: uuid("post_reviewed_by_id").references(() => identities.id),
    postReviewedAt: tz("post_reviewed_at"),
    postReviewComment: text("post_review_comment"),
    ...timestamps,
  },
  (t) => [
    index("jit_requests_requester_idx").on(t.requesterId, t.createdAt),
    index("jit_requests_identity_idx").on(t.identityId, t.createdAt),
    index("jit_requests_created_idx").on(t.createdAt),
    index("jit_requests_open_idx")
      .on(t.status)
      .where(sql`${t.status} in ('pending', 'approved', 'active')`),
    index("jit_requests_approvers_idx").using("gin", t.approverIds),
    uniqueIndex("jit_requests_grant_key").on(t.grantId),
    // One open request per identity and entitlement, whoever races to create it.
    uniqueIndex("jit_requests_one_open_key")
      .on(t.identityId, t.entitlementId)
      .where(sql`${t.status} in ('pending', 'approved', 'active')`),
  ],
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

/** A request's status as a person should read it now, from its stored status and its window. */
export const jitDisplayStatus = sql<JitRequestStatus>`(case
  when ${jitRequests.status} in ('approved', 'active') and ${jitRequests.expiresAt} <= now() then 'expired'
  when ${jitRequests.status} = 'approved' and ${jitRequests.startsAt} <= now() then 'active'
  when ${jitRequests.status} = 'pending' and ${jitRequests.pendingUntil} <= now() then 'timed_out'
  else ${jitRequests.status}::text end)`;
