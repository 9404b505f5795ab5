import type { Tone } from "@/components/ui/badge";

/** Finding kinds in the words of DESIGN.md's classification. */
export const findingKindLabels: Record<string, string> = {
  approved_unused: "Approved but unused",
  used_without_approval: "Used without approval",
  unapproved_grant: "Unapproved grant",
  active_after_approval: "Active after approval ended",
  used_after_offboarding: "Used after offboarding",
  denied_attempt: "Denied attempts",
  outside_grant_window: "Used outside a JIT window",
  target_unapproved: "In target, not approved",
  target_missing: "Approved, missing in target",
  orphaned_nhi: "Orphaned NHI",
  stale_credential: "Long-lived credential",
  escalation_to_admin: "Can escalate to administrator",
  open_trust_policy: "Trust policy open to any AWS principal",
};

export const severities = ["critical", "high", "medium", "low"] as const;

export const severityTone: Record<string, Tone> = { critical: "red", high: "amber", medium: "purple", low: "neutral" };

export const levelTone: Record<string, Tone> = { admin: "red", privileged: "purple", standard: "neutral" };

/** A findings-list URL with these filters (blank values drop out). */
export function findingsHref(filters: Record<string, string | undefined | null>) {
  const usp = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) usp.set(k, v);
  const qs = usp.toString();
  return qs ? `/reconciliation?${qs}` : "/reconciliation";
}
