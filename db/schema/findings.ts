import { bigint, index, jsonb, pgEnum, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamps, tz } from "./columns";
import { entitlements, grants } from "./access";
import { identities, identityKind, systems } from "./identity";

/**
 * Every kind of risk the product raises, whoever detects it: reconciliation
 * of approved versus used privilege, PAM session evidence, connectors reading
 * a target system's actual state, and credential hygiene.
 */
export const findingKinds = [
  "approved_unused", // approved but not used in the window
  "dormant_admin", // admin roles on several resources of one system, none of them used in the window
  "used_without_approval", // used successfully with no approved grant covering it
  "unapproved_grant", // active in the target with no governance decision behind it, not used
  "active_after_approval", // still usable after its approval ended
  "used_after_offboarding", // used after the identity left or was decommissioned
  "denied_attempt", // attempted and refused
  "outside_grant_window", // session activity outside any active JIT window
  "target_unapproved", // present in the target system without an approval
  "target_missing", // approved here, missing in the target system
  "session_outlived_grant", // a session in the target still open after the grant it used ended
  "orphaned_nhi", // an NHI without an active owner
  "stale_credential", // past rotation age, never rotated, or without expiry
  "escalation_to_admin", // can reach administrator-equivalent access through others' permissions or its own
  "open_trust_policy", // a role any AWS principal anywhere may assume
] as const;
export type FindingKind = (typeof findingKinds)[number];
export const findingKind = pgEnum("finding_kind", findingKinds);
export const findingStatus = pgEnum("finding_status", ["open", "resolved", "accepted"]);
export const findingSeverity = pgEnum("finding_severity", ["low", "medium", "high", "critical"]);

/** One open risk about one identity (and, where it applies, one entitlement or grant). */
export const findings = pgTable(
  "findings",
  {
    id: id(),
    // Detectors re-run: the key (kind and the ids it is about) makes a finding
    // seen again update its row instead of adding another.
    key: text("key").notNull(),
    kind: findingKind("kind").notNull(),
    status: findingStatus("status").notNull().default("open"),
    severity: findingSeverity("severity").notNull(),
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id),
    entitlementId: uuid("entitlement_id").references(() => entitlements.id),
    grantId: uuid("grant_id").references(() => grants.id),
    systemId: uuid("system_id").references(() => systems.id),
    // Which detector raised it: "reconciliation", "jit.session", "connector:<id>", "credentials".
    source: text("source").notNull(),
    title: text("title").notNull(),
    details: jsonb("details").notNull().default({}),
    // A digest of what the detector last raised (severity, title, details): a
    // detector seeing the same again skips the row instead of sending it back.
    raisedDigest: text("raised_digest"),
    firstSeenAt: tz("first_seen_at").notNull().defaultNow(),
    lastSeenAt: tz("last_seen_at").notNull().defaultNow(),
    resolvedAt: tz("resolved_at"),
    resolvedById: uuid("resolved_by_id").references(() => identities.id),
    resolution: text("resolution"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("findings_key_key").on(t.key),
    // The findings list and the dashboard, most severe and most recent first: overall, and by kind (with the
    // subject, so counts by kind for a kind of identity read the index alone).
    index("findings_status_severity_idx").on(t.status, t.severity, t.lastSeenAt, t.id),
    index("findings_status_kind_idx").on(t.status, t.kind, t.severity, t.lastSeenAt, t.id, t.identityId),
    index("findings_identity_idx").on(t.identityId),
    index("findings_entitlement_idx").on(t.entitlementId),
    // The findings search matches titles anywhere (pg_trgm).
    index("findings_title_trgm_idx").using("gin", t.title.op("gin_trgm_ops")),
    index("findings_system_idx").on(t.systemId),
  ],
);

/**
 * How many findings there are by status, kind, severity, system and kind of
 * subject, kept by triggers on findings (and on a subject's change of kind)
 * in the same transaction as the change: the findings list's counts and the
 * framework view read this instead of counting every finding. Rows are
 * deltas, summed when read; each reconciliation recounts them from the
 * findings (`recount_finding_tallies()`, migration 0026).
 */
export const findingTallies = pgTable(
  "finding_tallies",
  {
    status: findingStatus("status").notNull(),
    kind: findingKind("kind").notNull(),
    severity: findingSeverity("severity").notNull(),
    systemId: uuid("system_id"),
    identityKind: identityKind("identity_kind").notNull(),
    n: bigint("n", { mode: "number" }).notNull(),
  },
  (t) => [index("finding_tallies_status_idx").on(t.status, t.kind)],
);
