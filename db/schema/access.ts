import { sql } from "drizzle-orm";
import { index, jsonb, pgEnum, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamps, tz } from "./columns";
import { identities, systems } from "./identity";

/** One normalised IAM-style statement; resources are not kept: reconciliation is action by action. */
export type PermissionStatement = { effect: "Allow" | "Deny"; actions?: string[]; notActions?: string[]; conditional: boolean; allResources: boolean };

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

// What made the grant legitimate. "none" is an unapproved grant: it exists in
// the target system but no governance decision backs it.
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
    type: grantType("type").notNull(),
    provenance: provenanceKind("provenance").notNull(),
    // Id of the decision, approval or attestation that made it legitimate.
    provenanceRef: text("provenance_ref"),
    approvedById: uuid("approved_by_id").references(() => identities.id),
    approvedAt: tz("approved_at"),
    // Until when the governance decision holds (a certification is good for a
    // review cycle); after it, an active grant is "active after approval ended".
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
    index("grants_live_idx").on(t.identityId, t.entitlementId).where(sql`${t.revokedAt} is null`),
  ],
);

/** SQL predicate for "usable right now", the only definition of active access. */
export const grantIsActive = sql`(${grants.revokedAt} is null and ${grants.type} <> 'eligible' and ${grants.startsAt} <= now() and (${grants.expiresAt} is null or ${grants.expiresAt} > now()))`;
