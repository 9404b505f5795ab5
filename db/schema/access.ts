import { sql, type SQL } from "drizzle-orm";
import { boolean, check, index, integer, jsonb, pgEnum, pgTable, text, uniqueIndex, uuid, type AnyPgColumn } from "drizzle-orm/pg-core";
import { id, timestamps, tz } from "./columns";
import { identities, systems } from "./identity";

/**
 * One normalised IAM-style policy statement. Reconciliation reads it action by
 * action (`conditional` and `allResources` summarise the rest); the effective
 * permissions and escalation analyses read the statement as written: Resource
 * or NotResource (absent: any resource), Principal or NotPrincipal (resource
 * and trust policies; "*" kept as { AWS: ["*"] }) and Condition.
 */
export type PermissionStatement = {
  effect: "Allow" | "Deny";
  actions?: string[];
  notActions?: string[];
  /** The statement has a Condition: it may not apply to every request. */
  conditional: boolean;
  /** Resource is "*" (or absent, as in trust policies); false for specific ARNs and for NotResource. */
  allResources: boolean;
  sid?: string;
  resources?: string[];
  notResources?: string[];
  principals?: PrincipalMap;
  notPrincipals?: PrincipalMap;
  condition?: ConditionBlock;
};

/** A policy's Principal element: principal type (AWS, Service, Federated, CanonicalUser) → values. */
export type PrincipalMap = Record<string, string[]>;
/** A policy's Condition element: operator (StringEquals, DateLessThan, ForAnyValue:StringLike…) → key → values. */
export type ConditionBlock = Record<string, Record<string, string[]>>;

export const privilegeLevels = ["standard", "privileged", "admin"] as const;
export type PrivilegeLevel = (typeof privilegeLevels)[number];
export const privilegeLevel = pgEnum("privilege_level", privilegeLevels);

export const entitlements = pgTable(
  "entitlements",
  {
    id: id(),
    systemId: uuid("system_id")
      .notNull()
      .references(() => systems.id),
    name: text("name").notNull(),
    description: text("description"),
    privilegeLevel: privilegeLevel("privilege_level").notNull().default("standard"),
    ownerId: uuid("owner_id").references(() => identities.id),
    // The target system's own reference (policy ARN, role name).
    externalRef: text("external_ref"),
    // For cloud policies: what the entitlement allows and denies, action by
    // action pattern (never expanded: a `*` policy stays one pattern). Null
    // where the target system grants the entitlement as a whole.
    permissions: jsonb("permissions").$type<PermissionStatement[]>(),
    // A digest of the permissions as the last import wrote them, so a re-import
    // finds unchanged documents without reading them back. A trigger clears it
    // when anything else changes the permissions (migration 0023).
    importedDigest: text("imported_digest"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("entitlements_system_name_key").on(t.systemId, t.name),
    index("entitlements_external_ref_idx").on(t.systemId, t.externalRef),
    // Searches by name anywhere in it (pg_trgm).
    index("entitlements_name_trgm_idx").using("gin", t.name.op("gin_trgm_ops")),
  ],
);

// standing: usable until revoked; eligible: may be requested just in time, not
// usable by itself; jit: usable only inside [starts_at, expires_at).
export const grantTypes = ["standing", "eligible", "jit"] as const;
export type GrantType = (typeof grantTypes)[number];
export const grantType = pgEnum("grant_type", grantTypes);

// The kinds of governance decision that make a grant legitimate. A grant keeps
// every decision made about it (grant_decisions); "none" describes a grant no
// decision backs: it exists in the target system, nobody approved it.
export const provenanceKinds = [
  "campaign_decision",
  "jit_approval",
  "break_glass", // self-activated in an emergency; confirmed or escalated afterwards
  "attestation",
  "policy",
  "imported",
  "manual",
  "none",
] as const;
export type ProvenanceKind = (typeof provenanceKinds)[number];
export const provenanceKind = pgEnum("provenance_kind", provenanceKinds);
export type DecisionKind = Exclude<ProvenanceKind, "none">;

export const grants = pgTable(
  "grants",
  {
    id: id(),
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id),
    entitlementId: uuid("entitlement_id")
      .notNull()
      .references(() => entitlements.id),
    // What kind of grant this is. Set when the grant is made and never changed
    // by a later decision: certifying an eligibility keeps it an eligibility.
    type: grantType("type").notNull(),
    // The eligibility policy that issued an `eligible` grant (named
    // eligibility). Like the type, fixed at creation.
    policyId: uuid("policy_id").references((): AnyPgColumn => eligibilityPolicies.id),
    // The latest decision, copied from grant_decisions (the whole history) by
    // recordGrantDecisions, for the aggregates that ask "approved or not":
    // "none" when no decision backs the grant. Never read to decide what a
    // grant is or which policy issued it.
    provenance: provenanceKind("provenance").notNull(),
    provenanceRef: text("provenance_ref"),
    approvedById: uuid("approved_by_id").references(() => identities.id),
    approvedAt: tz("approved_at"),
    // Until when the latest decision holds; after it, an active grant is
    // "active after approval ended".
    approvalExpiresAt: tz("approval_expires_at"),
    startsAt: tz("starts_at").notNull().defaultNow(),
    // Effective access is always computed from this window at read time.
    expiresAt: tz("expires_at"),
    revokedAt: tz("revoked_at"),
    revokedById: uuid("revoked_by_id").references(() => identities.id),
    revokeReason: text("revoke_reason"),
    ...timestamps,
  },
  (t) => [
    index("grants_identity_idx").on(t.identityId),
    index("grants_entitlement_idx").on(t.entitlementId),
    index("grants_live_idx")
      .on(t.identityId, t.entitlementId)
      .where(sql`${t.revokedAt} is null`),
    index("grants_policy_idx")
      .on(t.policyId)
      .where(sql`${t.policyId} is not null`),
  ],
);

/**
 * Every governance decision that made or keeps a grant legitimate, one row
 * each and never rewritten: the policy that issued it, the JIT approval, each
 * campaign certification, an attestation, an import. A later decision adds a
 * row; it never changes the grant's type or the decisions before it.
 */
export const grantDecisions = pgTable(
  "grant_decisions",
  {
    id: id(),
    grantId: uuid("grant_id")
      .notNull()
      .references(() => grants.id),
    kind: provenanceKind("kind").$type<DecisionKind>().notNull(),
    // What decided: the policy, JIT request, review item or import run.
    ref: text("ref"),
    decidedById: uuid("decided_by_id").references(() => identities.id),
    decidedAt: tz("decided_at").notNull(),
    reason: text("reason"),
    // Until when this decision holds, when it is time-bound.
    validUntil: tz("valid_until"),
    createdAt: tz("created_at").notNull().defaultNow(),
  },
  (t) => [index("grant_decisions_grant_idx").on(t.grantId, t.decidedAt), check("grant_decisions_kind_check", sql`${t.kind} <> 'none'`)],
);

/** The columns the activity predicates read: `grants` itself or an alias of it (`alias(grants, "g")` for raw SQL over `g`). */
type GrantWindow = Record<"type" | "startsAt" | "revokedAt" | "expiresAt", AnyPgColumn>;

const instant = (at: SQL | Date) => (at instanceof Date ? sql`${at.toISOString()}::timestamptz` : at);

/**
 * The one definition of active access: a grant gives access at `at` when it
 * is not an eligibility, has started, and has neither been revoked nor expired
 * by then (its window is [starts_at, min(revoked_at, expires_at))). `at` is a
 * time or an SQL expression (a column, a parameter); "now" is the present,
 * where a revocation is never in the future, so `revoked_at is null` says it
 * and the live-grant index serves it.
 */
export function grantActiveAt(at: SQL | Date | "now", g: GrantWindow = grants): SQL {
  if (at === "now")
    return sql`(${g.revokedAt} is null and ${g.type} <> 'eligible' and ${g.startsAt} <= now() and (${g.expiresAt} is null or ${g.expiresAt} > now()))`;
  const t = instant(at);
  return sql`(${g.type} <> 'eligible' and ${g.startsAt} <= ${t} and (${g.revokedAt} is null or ${g.revokedAt} > ${t}) and (${g.expiresAt} is null or ${g.expiresAt} > ${t}))`;
}

/** Active at some instant of [from, to]: the same window as grantActiveAt, overlapping the interval. */
export function grantActiveDuring(from: SQL | Date, to: SQL | Date, g: GrantWindow = grants): SQL {
  return sql`(${g.type} <> 'eligible' and ${g.startsAt} <= ${instant(to)} and coalesce(least(${g.revokedAt}, ${g.expiresAt}), 'infinity') > ${instant(from)})`;
}

/** Usable right now: `grantActiveAt("now")`. */
export const grantIsActive = grantActiveAt("now");

// approvers: anyone holding the approver role; entitlement_owner: the owner of
// the entitlement; named: the people listed on the policy.
export const approverModes = ["approvers", "entitlement_owner", "named"] as const;
export type ApproverMode = (typeof approverModes)[number];
export const approverMode = pgEnum("approver_mode", approverModes);

/**
 * What activating a JIT grant does in the target: make the identity's own
 * account a member of the entitlement (membership), issue a short-lived
 * credential of its own that the target expires by itself (credential), or both.
 */
export const activationModes = ["membership", "credential", "both"] as const;
export type ActivationMode = (typeof activationModes)[number];
export const activationMode = pgEnum("activation_mode", activationModes);
export const issuesCredential = (mode: ActivationMode) => mode !== "membership";
export const grantsMembership = (mode: ActivationMode) => mode !== "credential";

/**
 * Who may request one privileged entitlement just in time, and on what terms.
 * Named identities are made eligible by `eligible` grants the policy issues
 * (provenance "policy", provenance_ref the policy id): they are reviewed in
 * campaigns and end through the revocation path like any grant. Whole teams are
 * eligible by membership.
 */
export const eligibilityPolicies = pgTable(
  "eligibility_policies",
  {
    id: id(),
    name: text("name").notNull(),
    description: text("description"),
    entitlementId: uuid("entitlement_id")
      .notNull()
      .references(() => entitlements.id),
    teamIds: uuid("team_ids")
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    maxDurationMinutes: integer("max_duration_minutes").notNull(),
    defaultDurationMinutes: integer("default_duration_minutes").notNull(),
    approvalsRequired: integer("approvals_required").notNull().default(1),
    approverMode: approverMode("approver_mode").notNull().default("approvers"),
    approverIds: uuid("approver_ids")
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    // One deny ends the request; otherwise it ends only when approval can no longer be reached.
    denyEndsRequest: boolean("deny_ends_request").notNull().default(true),
    requireJustification: boolean("require_justification").notNull().default(true),
    requireTicket: boolean("require_ticket").notNull().default(false),
    // Auto-approval: everyone (low-risk entitlements), or members of these teams (on-call).
    autoApproveAll: boolean("auto_approve_all").notNull().default(false),
    autoApproveTeamIds: uuid("auto_approve_team_ids")
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    pendingTimeoutMinutes: integer("pending_timeout_minutes").notNull().default(60),
    breakGlass: boolean("break_glass").notNull().default(false),
    breakGlassMaxMinutes: integer("break_glass_max_minutes").notNull().default(60),
    activation: activationMode("activation").notNull().default("membership"),
    // The addresses a certificate it issues may be used from (OpenSSH's source-address critical option); empty: anywhere.
    sourceAddresses: text("source_addresses")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    createdById: uuid("created_by_id").references(() => identities.id),
    // Retired policies keep their rows for the requests that cite them.
    archivedAt: tz("archived_at"),
    ...timestamps,
  },
  (t) => [
    index("eligibility_policies_entitlement_idx")
      .on(t.entitlementId)
      .where(sql`${t.archivedAt} is null`),
  ],
);
