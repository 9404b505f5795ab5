import type { IdentityDetail } from "@/lib/identities/detail";
import type { openTasksOf } from "@/lib/credentials/rotation";
import { CredentialDoneButton } from "@/components/credentials/credential-done-button";
import { CredentialTaskBadges } from "@/components/credentials/task-badges";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { ageInDays, formatDate, relative } from "@/components/ui/format";
import { Table, THead, Th, TBody } from "@/components/ui/table";

/** The identity's credentials, metadata only, with their open rotation and revocation tasks. */
export function CredentialsCard({ d, tasks, canRotate }: { d: IdentityDetail; tasks: Awaited<ReturnType<typeof openTasksOf>>; canRotate: boolean }) {
  return (
    <Card title="Credentials (metadata only)">
      {d.credentials.length === 0 ? (
        <p className="text-sm text-slate-600">No credentials tracked.</p>
      ) : (
        <Table>
          <THead plain>
            <Th flush>Credential</Th>
            <Th flush>Age</Th>
            <Th flush>Rotated</Th>
            <Th flush>Expires</Th>
            <Th flush>Last used</Th>
            <Th flush />
          </THead>
          <TBody>
            {d.credentials.map((c) => {
              const open = tasks.filter((t) => t.credentialId === c.id);
              const age = ageInDays(c.lastRotatedAt ?? c.issuedAt) ?? 0;
              return (
                <tr key={c.id} className={c.status === "revoked" ? "text-slate-400" : ""}>
                  <td className="py-2 pr-3">
                    <span className="font-mono text-xs">{c.label}</span> <span className="text-slate-500">{c.type.replace("_", " ")}</span>
                    {c.status === "revoked" && <Badge>revoked</Badge>}
                  </td>
                  <td className="py-2 pr-3">{age > 365 ? <Badge tone="amber">{age} days</Badge> : `${age} days`}</td>
                  <td className="py-2 pr-3">{c.lastRotatedAt ? formatDate(c.lastRotatedAt) : <span className="text-amber-700">never</span>}</td>
                  <td className="py-2 pr-3">
                    {!c.expiresAt ? (
                      <span className="text-amber-700">no expiry</span>
                    ) : new Date(c.expiresAt) < new Date() ? (
                      <Badge tone="red">expired {formatDate(c.expiresAt)}</Badge>
                    ) : (
                      formatDate(c.expiresAt)
                    )}
                  </td>
                  <td className="py-2 pr-3">{relative(c.lastUsedAt)}</td>
                  <td className="py-2 pr-3 text-right">
                    <CredentialTaskBadges tasks={open} />
                    {canRotate && c.status === "active" && (
                      <CredentialDoneButton credentialId={c.id} label={c.label} done={open.some((t) => t.kind === "revoke") ? "revoked" : "rotated"} />
                    )}
                  </td>
                </tr>
              );
            })}
          </TBody>
        </Table>
      )}
    </Card>
  );
}
