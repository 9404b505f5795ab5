import type { Tone } from "@/components/ui/badge";

export { findingKindLabels } from "@/lib/findings/kinds";

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
