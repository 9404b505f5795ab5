import { sql } from "drizzle-orm";
import { type AnyPgColumn, boolean, index, integer, jsonb, pgEnum, pgTable, primaryKey, smallint, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamps, tz } from "./columns";

export const identityKinds = ["human", "service_account", "api_key", "workload_role", "bot", "ai_agent", "certificate"] as const;
export type IdentityKind = (typeof identityKinds)[number];
export const nonHumanKinds = identityKinds.filter((k) => k !== "human");

// offboarded is a person who left; decommissioned is a retired NHI. Both keep
// their rows so history and evidence survive.
export const identityStatuses = ["active", "disabled", "offboarded", "decommissioned"] as const;
export type IdentityStatus = (typeof identityStatuses)[number];

export const systemKinds = ["aws_account", "kubernetes", "github", "database", "vault", "saas", "idp"] as const;

export const identityKind = pgEnum("identity_kind", identityKinds);
export const identityStatus = pgEnum("identity_status", identityStatuses);
export const systemKind = pgEnum("system_kind", systemKinds);

export const teams = pgTable("teams", {
  id: id(),
  name: text("name").notNull().unique(),
  // The identity provider that placed it ("scim:<token>"): its next sync would
  // undo any change made in the app, so the app leaves it to the provider.
  managedBy: text("managed_by"),
  ...timestamps,
});

export const systems = pgTable("systems", {
  id: id(),
  name: text("name").notNull().unique(),
  kind: systemKind("kind").notNull(),
  environment: text("environment").notNull().default("production"),
  // e.g. the AWS account id or the cluster URL: how the system names itself.
  externalId: text("external_id"),
  description: text("description"),
  ownerId: uuid("owner_id").references((): AnyPgColumn => identities.id),
  ...timestamps,
});

export const identities = pgTable(
  "identities",
  {
    id: id(),
    kind: identityKind("kind").notNull(),
    name: text("name").notNull(),
    displayName: text("display_name").notNull(),
    email: text("email"),
    // How the identity is named in its own system (an ARN, an IdP subject).
    externalId: text("external_id"),
    systemId: uuid("system_id").references(() => systems.id),
    teamId: uuid("team_id").references(() => teams.id),
    title: text("title"),
    managerId: uuid("manager_id").references((): AnyPgColumn => identities.id),
    // Accountable humans; required for every NHI, null for people. An NHI whose
    // owner is missing or no longer active is an orphan (derived, never stored).
    ownerId: uuid("owner_id").references((): AnyPgColumn => identities.id),
    backupOwnerId: uuid("backup_owner_id").references((): AnyPgColumn => identities.id),
    purpose: text("purpose"),
    status: identityStatus("status").notNull().default("active"),
    nextAttestationAt: tz("next_attestation_at"),
    lastAttestedAt: tz("last_attested_at"),
    // Last successful use of any entitlement: a per-identity rollup, kept with
    // usage_rollups at ingest so the inventory can sort by it without a scan.
    lastUsedAt: tz("last_used_at"),
    // What the identity's own system says about it that has no column here:
    // an IAM path and id, tags, a role's trust policy and who it trusts.
    attributes: jsonb("attributes").$type<Record<string, unknown>>().notNull().default({}),
    // Handed to a new owner because the previous one left: listed with the
    // orphans until the new owner attests it.
    rehomedFromId: uuid("rehomed_from_id").references((): AnyPgColumn => identities.id),
    rehomedAt: tz("rehomed_at"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("identities_email_key").on(sql`lower(${t.email})`),
    uniqueIndex("identities_system_name_key").on(t.systemId, t.name),
    index("identities_kind_idx").on(t.kind),
    index("identities_system_idx").on(t.systemId),
    index("identities_owner_idx").on(t.ownerId),
    // Orphans: active NHIs by owner, and the few identities not active (lib/identities/figures.ts, orphanFilter).
    index("identities_active_nhi_owner_idx")
      .on(t.ownerId)
      .where(sql`${t.kind} <> 'human' and ${t.status} = 'active'`),
    index("identities_inactive_idx")
      .on(t.id)
      .where(sql`${t.status} <> 'active'`),
    index("identities_backup_owner_idx").on(t.backupOwnerId),
    index("identities_manager_idx").on(t.managerId),
    index("identities_name_idx").on(sql`lower(${t.name})`),
    // Searches match anywhere in a name (ILIKE '%…%'): trigram indexes (pg_trgm), one per searched column, so
    // the OR of them is a union of index scans instead of a pass over every identity.
    index("identities_name_trgm_idx").using("gin", t.name.op("gin_trgm_ops")),
    index("identities_display_name_trgm_idx").using("gin", t.displayName.op("gin_trgm_ops")),
    index("identities_email_trgm_idx").using("gin", t.email.op("gin_trgm_ops")),
    index("identities_external_id_trgm_idx").using("gin", t.externalId.op("gin_trgm_ops")),
    // SCIM's userName (lib/scim/attribute-maps.ts userNameSql, compared case-insensitively): identity
    // providers look a person up by it on every provisioning call.
    index("identities_scim_username_idx")
      .on(sql`lower(coalesce((${t.attributes} #>> '{"scim","userName"}'), ${t.email}, ${t.name}))`)
      .where(sql`${t.kind} = 'human'`),
    index("identities_last_used_idx").on(sql`${t.lastUsedAt} desc nulls last`),
  ],
);

/**
 * Team membership as the identity provider states it (SCIM groups): a person
 * may be in several teams; identities.team_id is their primary one.
 */
export const teamMembers = pgTable(
  "team_members",
  {
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id),
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id),
    createdAt: tz("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.identityId] }), index("team_members_identity_idx").on(t.identityId)],
);

export const credentialTypes = ["access_key", "api_token", "password", "ssh_key", "certificate", "client_secret"] as const;
export const credentialType = pgEnum("credential_type", credentialTypes);
export const credentialStatus = pgEnum("credential_status", ["active", "revoked"]);

// Metadata only: the secret itself never enters this product.
export const credentials = pgTable(
  "credentials",
  {
    id: id(),
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id),
    type: credentialType("type").notNull(),
    // A non-secret handle such as an access key id suffix or a fingerprint.
    label: text("label").notNull(),
    status: credentialStatus("status").notNull().default("active"),
    issuedAt: tz("issued_at").notNull(),
    lastRotatedAt: tz("last_rotated_at"),
    expiresAt: tz("expires_at"),
    lastUsedAt: tz("last_used_at"),
    ...timestamps,
  },
  (t) => [index("credentials_identity_idx").on(t.identityId)],
);

/** How old each type of credential may get before it must be rotated, and whether it must carry an expiry. */
export const credentialPolicies = pgTable("credential_policies", {
  type: credentialType("type").primaryKey(),
  maxAgeDays: integer("max_age_days").notNull(),
  requireExpiry: boolean("require_expiry").notNull().default(false),
  updatedAt: tz("updated_at").notNull().defaultNow(),
});

export const credentialTaskKind = pgEnum("credential_task_kind", ["rotate", "revoke"]);
export const credentialTaskStatus = pgEnum("credential_task_status", ["open", "done", "cancelled"]);

/**
 * Work a credential needs from its owner or a connector: rotate it (its owner
 * left, it is too old) or revoke it (its NHI was decommissioned). Each task has
 * someone accountable and a due date; overdue tasks climb to the assignee's
 * manager, then to the admins, until the work is confirmed done.
 */
export const credentialTasks = pgTable(
  "credential_tasks",
  {
    id: id(),
    credentialId: uuid("credential_id")
      .notNull()
      .references(() => credentials.id),
    kind: credentialTaskKind("kind").notNull(),
    status: credentialTaskStatus("status").notNull().default("open"),
    reason: text("reason").notNull(),
    // The lifecycle event, attestation or policy that asked for it.
    sourceRef: text("source_ref"),
    // Who must see it done: the NHI's owner (or backup owner); null leaves it to the admins.
    assigneeId: uuid("assignee_id").references(() => identities.id),
    dueAt: tz("due_at").notNull().defaultNow(),
    // 0 with the assignee, 1 with their manager, 2 with the admins.
    escalationLevel: smallint("escalation_level").notNull().default(0),
    escalatedToId: uuid("escalated_to_id").references(() => identities.id),
    escalatedAt: tz("escalated_at"),
    doneAt: tz("done_at"),
    doneById: uuid("done_by_id").references(() => identities.id),
    ...timestamps,
  },
  (t) => [
    index("credential_tasks_credential_idx").on(t.credentialId),
    index("credential_tasks_open_due_idx")
      .on(t.dueAt)
      .where(sql`${t.status} = 'open'`),
    index("credential_tasks_assignee_idx")
      .on(t.assigneeId)
      .where(sql`${t.status} = 'open'`),
    // One open task of a kind per credential, however often it is asked for.
    uniqueIndex("credential_tasks_open_key")
      .on(t.credentialId, t.kind)
      .where(sql`${t.status} = 'open'`),
  ],
);
