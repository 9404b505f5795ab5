import type { IdentityDetail } from "@/lib/identities/detail";
import { GrantDecisions } from "@/components/identities/grant-decisions";
import { ConvertStanding } from "@/components/jit/convert-standing";
import { Badge, type Tone } from "@/components/ui/badge";
import { Card, EmptyState } from "@/components/ui/card";
import { formatDate, formatDateTime, relative } from "@/components/ui/format";
import { Table, THead, Th, TBody } from "@/components/ui/table";

const levelTone: Record<string, Tone> = { admin: "red", privileged: "purple", standard: "neutral" };

function GrantStatus({ g }: { g: IdentityDetail["grants"][number] }) {
  if (g.grant.revokedAt) return <Badge tone="neutral">Revoked {formatDate(g.grant.revokedAt)}</Badge>;
  if (g.grant.type === "eligible") return <Badge tone="blue">Eligible (JIT)</Badge>;
  if (!g.active) return <Badge tone="neutral">Expired {formatDate(g.grant.expiresAt)}</Badge>;
  if (g.grant.approvalExpiresAt && new Date(g.grant.approvalExpiresAt) < new Date()) return <Badge tone="red">Active after approval ended</Badge>;
  return <Badge tone="green">Active{g.grant.type === "jit" ? " (JIT)" : ""}</Badge>;
}

/** Every grant the identity holds or held, with its decisions and use; admins may turn standing privilege into just-in-time. */
export function GrantsCard({ d, admin }: { d: IdentityDetail; admin: boolean }) {
  const i = d.identity;
  return (
    <Card title={`Grants (${d.grants.filter((g) => g.active).length} active)`} className="mt-6">
      {d.grants.length === 0 ? (
        <EmptyState title="No grants.">This identity holds no access in any connected system.</EmptyState>
      ) : (
        <div className="overflow-x-auto">
          <Table data-testid="grants-table">
            <THead plain>
              <Th flush>Entitlement</Th>
              <Th flush>Level</Th>
              <Th flush>Status</Th>
              <Th flush>Decisions</Th>
              <Th flush>Since</Th>
              <Th flush>Expires</Th>
              <Th flush>Last used</Th>
              <Th flush align="right">
                Uses / denied
              </Th>
              {admin && (
                <Th flush align="right">
                  Standing privilege
                </Th>
              )}
            </THead>
            <TBody>
              {d.grants.map((g) => (
                <tr key={g.grant.id} className={g.grant.revokedAt ? "text-slate-400" : ""}>
                  <td className="py-2 pr-3">
                    <span className="font-medium">{g.entitlementName}</span> <span className="text-slate-500">on {g.systemName}</span>
                  </td>
                  <td className="py-2 pr-3">
                    <Badge tone={levelTone[g.privilegeLevel]}>{g.privilegeLevel}</Badge>
                  </td>
                  <td className="py-2 pr-3">
                    <GrantStatus g={g} />
                  </td>
                  <td className="py-2 pr-3">
                    <GrantDecisions decisions={g.decisions} />
                  </td>
                  <td className="py-2 pr-3">{formatDate(g.grant.startsAt)}</td>
                  <td className="py-2 pr-3">{g.grant.expiresAt ? formatDateTime(g.grant.expiresAt) : "never"}</td>
                  <td className="py-2 pr-3">{g.lastUsedAt ? relative(g.lastUsedAt) : <span className="text-amber-700">never</span>}</td>
                  <td className="py-2 pr-3 text-right tabular-nums">
                    {g.successCount ?? 0} / {g.deniedCount ?? 0}
                  </td>
                  {admin && (
                    <td className="py-2 pr-3 text-right">
                      {g.grant.type === "standing" && !g.grant.revokedAt && g.privilegeLevel !== "standard" && i.status === "active" && (
                        <ConvertStanding grantId={g.grant.id} label={g.entitlementName} />
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </TBody>
          </Table>
        </div>
      )}
    </Card>
  );
}
