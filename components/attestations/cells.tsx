import Link from "next/link";
import type { IdentityKind } from "@/db/schema";
import { Badge } from "@/components/ui/badge";
import { kindLabels } from "@/components/ui/format";

/** An NHI's cell in the attestation tables: its name (linked), kind and system. */
export function NhiCell({ nhi }: { nhi: { id: string; name: string; kind: IdentityKind; systemName: string | null } }) {
  return (
    <td className="px-3 py-2">
      <Link href={`/identities/${nhi.id}`} className="break-all font-medium text-brand-700 hover:underline">
        {nhi.name}
      </Link>
      <div className="text-xs text-slate-500">
        {kindLabels[nhi.kind]}
        {nhi.systemName && ` on ${nhi.systemName}`}
      </div>
    </td>
  );
}

/** Active grants, with the privileged ones counted in a badge. */
export function GrantCountCell({ active, privileged, className = "" }: { active: number; privileged: number; className?: string }) {
  return (
    <td className={`${className} px-3 py-2 text-right tabular-nums`.trim()}>
      {active}
      {privileged > 0 && (
        <>
          {" "}
          <Badge tone="purple">{privileged}</Badge>
        </>
      )}
    </td>
  );
}
