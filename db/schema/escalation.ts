import { sql, type SQL } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { tz } from "./columns";
import { entitlements, grantIsActive, grants, privilegeLevel, type PermissionStatement, type PrivilegeLevel } from "./access";
import { identities, systems } from "./identity";

/**
 * Service control policies an AWS organisation applies to an account, by
 * level (0 = root, then organisational units, then the account itself): every
 * level must allow an action for any principal of the account to use it.
 */
export const awsServiceControlPolicies = pgTable(
  "aws_service_control_policies",
  {
    systemId: uuid("system_id")
      .notNull()
      .references(() => systems.id),
    level: integer("level").notNull(),
    name: text("name").notNull(),
    statements: jsonb("statements").$type<PermissionStatement[]>().notNull(),
    importedAt: tz("imported_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.systemId, t.level, t.name] })],
);

/**
 * The escalation analysis's verdict on one cloud identity (lib/escalation):
 * its privilege level from its effective access and what it can reach, the
 * shortest way to administrator spelled out step by step, and the roles it can
 * act as. `inputsDigest` and `capabilities` let a re-run reuse the edges of
 * identities whose access did not change.
 */
export const identityEscalations = pgTable(
  "identity_escalations",
  {
    identityId: uuid("identity_id")
      .primaryKey()
      .references(() => identities.id),
    systemId: uuid("system_id")
      .notNull()
      .references(() => systems.id),
    privilegeLevel: privilegeLevel("privilege_level").notNull(),
    holdsAdmin: boolean("holds_admin").notNull(),
    reachesAdmin: boolean("reaches_admin").notNull(),
    pathConditional: boolean("path_conditional").notNull(),
    // The first step's path class ("lambda-create-invoke"…), for filters.
    pathClass: text("path_class"),
    path: jsonb("path").notNull().default([]),
    reachableCount: integer("reachable_count").notNull().default(0),
    // The first REACHABLE_KEPT roles it can act as, by identity id.
    reachableIds: uuid("reachable_ids")
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    inputsDigest: text("inputs_digest").notNull(),
    capabilities: jsonb("capabilities").notNull().default([]),
    ownLevel: text("own_level", { enum: ["privileged", "standard"] }).notNull(),
    verdictDigest: text("verdict_digest").notNull(),
    computedAt: tz("computed_at").notNull(),
  },
  (t) => [index("identity_escalations_admin_idx").on(t.reachesAdmin, t.privilegeLevel), index("identity_escalations_system_idx").on(t.systemId)],
);

/**
 * SQL: an identity's privilege level. For analysed identities (AWS principals,
 * Kubernetes service accounts and the people bound in a cluster), the
 * escalation analysis's verdict (its effective access and what it can reach),
 * raised by what it holds where the analysis does not look: grants outside
 * its own system (an IAM principal's account) and outside every cluster (a
 * person's GitHub admin role, an Identity Center permission set). For the rest,
 * the highest level among the entitlements it holds right now.
 */
export const identityPrivilegeLevel = (identityId: SQL) => sql<PrivilegeLevel | null>`coalesce(
  (select greatest(ie.privilege_level,
    (select max(e.privilege_level) from ${grants} join ${entitlements} e on e.id = ${grants.entitlementId} join ${systems} s on s.id = e.system_id
     where ${grants.identityId} = ie.identity_id and ${grantIsActive} and s.kind <> 'kubernetes' and e.system_id is distinct from hi.system_id))
   from ${identityEscalations} ie join ${identities} hi on hi.id = ie.identity_id where ie.identity_id = ${identityId}),
  (select max(e.privilege_level) from ${grants} join ${entitlements} e on e.id = ${grants.entitlementId} where ${grants.identityId} = ${identityId} and ${grantIsActive}))`;
