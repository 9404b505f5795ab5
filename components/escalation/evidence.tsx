import Link from "next/link";
import type { EscalationEvidence } from "@/lib/escalation/read";
import type { PrivilegeLevel } from "@/db/schema";
import { levelTone } from "@/components/reconciliation/labels";
import { Badge } from "@/components/ui/badge";

/**
 * The identity's own verdict next to an item about one of its grants: shown
 * when it says more than the entitlement's level (it can escalate, or the
 * identity as a whole ranks higher than this grant).
 */
export function IdentityVerdict({
  identityId,
  level,
  entitlementLevel,
  evidence,
}: {
  identityId: string;
  level: PrivilegeLevel | null;
  entitlementLevel: PrivilegeLevel;
  evidence: EscalationEvidence | null;
}) {
  const identityLevel = evidence?.level ?? level;
  if (!evidence?.summary && (!identityLevel || identityLevel === entitlementLevel)) return null;
  return (
    <div className="mt-1 text-xs" data-testid="identity-verdict">
      <span className="text-slate-500">Identity:</span> {identityLevel && <Badge tone={levelTone[identityLevel]}>{identityLevel}</Badge>}{" "}
      {evidence?.summary && (
        <Link
          href={`/identities/${identityId}#can-become`}
          className={evidence.conditional ? "text-amber-700 hover:underline" : "text-rose-700 hover:underline"}
        >
          {evidence.summary}
        </Link>
      )}
    </div>
  );
}
