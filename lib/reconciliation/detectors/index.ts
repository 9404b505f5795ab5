import type { FindingKind } from "@/db/schema";
import type { Detector } from "./context";
import { detectActiveAfterApproval } from "./active-after-approval";
import { detectApprovedUnused } from "./approved-unused";
import { detectDeniedAttempt } from "./denied-attempt";
import { detectDormantAdmin } from "./dormant-admin";
import { detectOrphanedNhi } from "./orphaned-nhi";
import { detectStaleCredential } from "./stale-credential";
import { detectUnapprovedGrant } from "./unapproved-grant";
import { detectUsedAfterOffboarding } from "./used-after-offboarding";
import { detectUsedWithoutApproval } from "./used-without-approval";

/**
 * The kinds reconciliation detects, each by its own module in this folder
 * (the registry's `detector` names it). A pass runs them all into one
 * `detected` table; the kinds other parts of the product raise (sessions,
 * connectors, the escalation analysis) go through lib/findings/raise.ts.
 */
export const reconciliationDetectors = {
  approved_unused: detectApprovedUnused,
  dormant_admin: detectDormantAdmin,
  unapproved_grant: detectUnapprovedGrant,
  used_without_approval: detectUsedWithoutApproval,
  active_after_approval: detectActiveAfterApproval,
  used_after_offboarding: detectUsedAfterOffboarding,
  denied_attempt: detectDeniedAttempt,
  orphaned_nhi: detectOrphanedNhi,
  stale_credential: detectStaleCredential,
} satisfies Partial<Record<FindingKind, Detector>>;

export type ReconciledKind = keyof typeof reconciliationDetectors;
