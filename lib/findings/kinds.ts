import type { FindingKind, PrivilegeLevel } from "@/db/schema";

/** A session still open this long after its grant ended is a session_outlived_grant finding (ending it takes the revocation's delivery a second or two). */
export const OUTLIVED_GRACE_SECONDS = 30;

/**
 * Every finding kind in one registry: what people call it, who detects it, how
 * severe it is, and which framework controls it evidences. Adding a kind adds
 * its entry here (the compiler asks for every field) and its detector; its
 * one-line evidence in the findings list, if it has any beyond its title, is
 * an entry in `evidenceOf` (components/reconciliation/finding-row.tsx).
 * Browser-safe: types only from the schema.
 */

export type Severity = "low" | "medium" | "high" | "critical";

/** The framework controls a finding can evidence (their texts: lib/reconciliation/frameworks.ts). */
export const frameworkControlIds = ["NHI1", "NHI5", "NHI7", "NHI10", "PR.AA-01", "PR.AA-05", "DE.CM-03"] as const;
export type FrameworkControlId = (typeof frameworkControlIds)[number];

export type FindingKindSpec = {
  /** In the words of DESIGN.md's classification. */
  label: string;
  /** Where the detector lives (reconciliation's: one module each, lib/reconciliation/detectors/). */
  detector:
    | `lib/reconciliation/detectors/${string}.ts`
    | "lib/sessions/ingest.ts"
    | "lib/connectors/postgres.ts"
    | "lib/credentials/rotation.ts"
    | "lib/escalation/run.ts";
  /** By the privilege level of the entitlement involved, or a rule the detector applies, in words. */
  severity: Record<PrivilegeLevel, Severity> | string;
  frameworks: FrameworkControlId[];
};

export const findingKindSpecs = {
  approved_unused: {
    label: "Approved but unused",
    detector: "lib/reconciliation/detectors/approved-unused.ts",
    severity: { admin: "high", privileged: "medium", standard: "low" },
    frameworks: ["NHI5", "PR.AA-05"],
  },
  dormant_admin: {
    label: "Unused admin roles",
    detector: "lib/reconciliation/detectors/dormant-admin.ts",
    severity: "High: administrator roles on several resources of one system (repositories of a GitHub organisation, say), none used in the window.",
    frameworks: ["NHI5", "PR.AA-05"],
  },
  used_without_approval: {
    label: "Used without approval",
    detector: "lib/reconciliation/detectors/used-without-approval.ts",
    severity: { admin: "critical", privileged: "high", standard: "medium" },
    frameworks: ["NHI5", "PR.AA-05"],
  },
  unapproved_grant: {
    label: "Unapproved grant",
    detector: "lib/reconciliation/detectors/unapproved-grant.ts",
    severity: { admin: "critical", privileged: "high", standard: "medium" },
    frameworks: ["NHI5", "PR.AA-05"],
  },
  active_after_approval: {
    label: "Active after approval ended",
    detector: "lib/reconciliation/detectors/active-after-approval.ts",
    severity: { admin: "high", privileged: "high", standard: "medium" },
    frameworks: ["NHI5", "PR.AA-05"],
  },
  used_after_offboarding: {
    label: "Used after offboarding",
    detector: "lib/reconciliation/detectors/used-after-offboarding.ts",
    severity: { admin: "critical", privileged: "critical", standard: "critical" },
    frameworks: ["NHI1", "PR.AA-01", "DE.CM-03"],
  },
  denied_attempt: {
    label: "Denied attempts",
    detector: "lib/reconciliation/detectors/denied-attempt.ts",
    severity: { admin: "medium", privileged: "low", standard: "low" },
    frameworks: ["DE.CM-03"],
  },
  outside_grant_window: {
    label: "Used outside a JIT window",
    detector: "lib/sessions/ingest.ts",
    severity: "High: session activity with no active grant window covering it.",
    frameworks: ["NHI10", "PR.AA-05", "DE.CM-03"],
  },
  target_unapproved: {
    label: "In target, not approved",
    detector: "lib/connectors/postgres.ts",
    severity: "High: the target grants access no decision here approves.",
    frameworks: ["NHI5", "PR.AA-05"],
  },
  target_missing: {
    label: "Approved, missing in target",
    detector: "lib/connectors/postgres.ts",
    severity: "Medium: approved access the target does not grant.",
    frameworks: ["PR.AA-05"],
  },
  session_outlived_grant: {
    label: "Session outlived its grant",
    // Also raised by lib/usage/session-evidence.ts, from the target's own log of the session.
    detector: "lib/connectors/postgres.ts",
    severity: `High: a session under a JIT grant was still open in the target more than ${OUTLIVED_GRACE_SECONDS} s after the grant ended (terminated by the connector, or seen in the target's own log).`,
    frameworks: ["NHI10", "PR.AA-05", "DE.CM-03"],
  },
  orphaned_nhi: {
    label: "Orphaned NHI",
    detector: "lib/reconciliation/detectors/orphaned-nhi.ts",
    severity: "High when the NHI holds privileged access or can reach administrator, medium otherwise.",
    frameworks: ["NHI1", "PR.AA-01"],
  },
  stale_credential: {
    label: "Long-lived credential",
    detector: "lib/reconciliation/detectors/stale-credential.ts",
    severity: "High when expired but still active, medium otherwise (past its type's rotation age, never rotated, or without a required expiry).",
    frameworks: ["NHI7", "PR.AA-01"],
  },
  escalation_to_admin: {
    label: "Can escalate to administrator",
    detector: "lib/escalation/run.ts",
    severity:
      "Medium when the path is conditional; critical for an NHI holding a long-lived key when no step needs compute the import cannot show; high otherwise.",
    frameworks: ["NHI5", "PR.AA-05"],
  },
  open_trust_policy: {
    label: "Trust policy open to any AWS principal",
    detector: "lib/escalation/run.ts",
    severity: "Critical when no condition narrows the trust, high otherwise.",
    frameworks: ["NHI5", "PR.AA-05"],
  },
} as const satisfies Record<FindingKind, FindingKindSpec>;

/** Labels by kind, for lists and filters. */
export const findingKindLabels = Object.fromEntries(Object.entries(findingKindSpecs).map(([k, v]) => [k, v.label])) as Record<FindingKind, string>;

/** The kinds that evidence a framework control. */
export const kindsEvidencing = (control: FrameworkControlId): FindingKind[] =>
  (Object.keys(findingKindSpecs) as FindingKind[]).filter((k) => (findingKindSpecs[k].frameworks as readonly FrameworkControlId[]).includes(control));
