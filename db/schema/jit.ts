import { sql } from "drizzle-orm";
import { bigserial, boolean, index, integer, jsonb, pgEnum, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamps, tz } from "./columns";
import { activationMode, eligibilityPolicies, entitlements, grants } from "./access";
import { connectors } from "./connector";
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
    activation: activationMode("activation").notNull().default("membership"),
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

/**
 * A short-lived credential issued for one JIT grant (a PostgreSQL login role
 * with VALID UNTIL at the grant's end, a directory account with pwdEndTime at
 * it), as a record of what was issued: the
 * target's account name, its validity, when and how often it was handed out.
 * The secret itself is never kept: it is made at hand-out and shown once; a
 * new hand-out replaces it in the target.
 */
export const issuedCredentials = pgTable(
  "issued_credentials",
  {
    id: id(),
    grantId: uuid("grant_id")
      .notNull()
      .references(() => grants.id),
    requestId: uuid("request_id")
      .notNull()
      .references(() => jitRequests.id),
    connectorId: uuid("connector_id")
      .notNull()
      .references(() => connectors.id),
    kind: text("kind", { enum: ["postgres_login", "ldap_account"] }).notNull(),
    // The account in the target (a role name, an entry's DN), never a secret.
    username: text("username").notNull(),
    validUntil: tz("valid_until").notNull(),
    // How to reach the target, without credentials: host and port, and the database (PostgreSQL) or group (directory).
    address: jsonb("address").$type<{ host: string; port: number; database?: string; group?: string }>().notNull(),
    issuedAt: tz("issued_at").notNull(),
    handedOutCount: integer("handed_out_count").notNull().default(1),
    lastHandedOutAt: tz("last_handed_out_at").notNull(),
    // When the target's account was removed (release, revocation, expiry delivered).
    removedAt: tz("removed_at"),
    ...timestamps,
  },
  (t) => [uniqueIndex("issued_credentials_grant_kind_key").on(t.grantId, t.kind)],
);

/**
 * An OpenSSH user certificate signed for one JIT grant by its SSH connector's
 * certificate authority: valid only inside the grant's window (sshd refuses it
 * outside, with or without the product), its serial unique, listed in the
 * connector's key revocation list once the grant ends early.
 */
export const sshCertificates = pgTable(
  "ssh_certificates",
  {
    id: id(),
    serial: bigserial("serial", { mode: "number" }).notNull().unique(),
    grantId: uuid("grant_id")
      .notNull()
      .references(() => grants.id),
    requestId: uuid("request_id")
      .notNull()
      .references(() => jitRequests.id),
    connectorId: uuid("connector_id")
      .notNull()
      .references(() => connectors.id),
    keyId: text("key_id").notNull(),
    principals: text("principals").array().notNull(),
    // Its source-address option: where it may be used from (empty: anywhere).
    sourceAddresses: text("source_addresses")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    // The certified key's and the signing CA's fingerprints (SHA256:…), as sshd logs them.
    keyFingerprint: text("key_fingerprint").notNull(),
    caFingerprint: text("ca_fingerprint").notNull(),
    validAfter: tz("valid_after").notNull(),
    validBefore: tz("valid_before").notNull(),
    // The certificate itself: public, as the requester received it.
    certificate: text("certificate").notNull(),
    issuedAt: tz("issued_at").notNull(),
    revokedAt: tz("revoked_at"),
    ...timestamps,
  },
  (t) => [index("ssh_certificates_grant_idx").on(t.grantId), index("ssh_certificates_revoked_idx").on(t.connectorId, t.revokedAt)],
);
