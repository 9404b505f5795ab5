import Link from "next/link";
import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/caller";
import { listConnectors } from "@/lib/connectors/admin";
import { listSystems } from "@/lib/identities/list";
import { ConnectorForm } from "@/components/connectors/connector-form";
import { Badge } from "@/components/ui/badge";
import { Card, EmptyState } from "@/components/ui/card";
import { Forbidden } from "@/components/ui/forbidden";
import { relative } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";
import { connectorDescriptors } from "@/lib/connectors/kinds";
import { Table, THead, Th, TBody } from "@/components/ui/table";

export const metadata = { title: "Connectors" };

export default async function ConnectorsPage() {
  const caller = await requireCaller();
  if (!hasRole(caller, "admin", "auditor")) return <Forbidden what="connectors" />;
  const db = await getDb();
  const [{ connectors, undispatched }, systemList] = await Promise.all([listConnectors(db, caller), listSystems(db)]);
  return (
    <>
      <Link href="/admin" className="text-sm text-brand-700 hover:underline">
        ← Admin
      </Link>
      <PageHeader
        title="Connectors"
        description="Where decisions are enforced: PostgreSQL servers whose roles follow the grants, SSH certificate authorities whose certificates carry the window, and signed webhooks to any other system. Every grant and revocation is delivered by a durable job, retried with backoff and dead-lettered after its attempts."
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="lg:col-span-2">
          {connectors.length === 0 ? (
            <EmptyState title="No connectors yet.">Add one to make approvals and revocations real in a target system.</EmptyState>
          ) : (
            <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
              <Table data-testid="connector-table">
                <THead>
                  <Th>Connector</Th>
                  <Th>Health</Th>
                  <Th align="right">Delivered</Th>
                  <Th align="right">Waiting</Th>
                  <Th align="right">Dead</Th>
                </THead>
                <TBody>
                  {connectors.map((c) => (
                    <tr key={c.id}>
                      <td className="px-3 py-2">
                        <Link className="font-medium text-brand-700 hover:underline" href={`/admin/connectors/${c.id}`}>
                          {c.name}
                        </Link>
                        <div className="text-xs text-slate-500">
                          {connectorDescriptors[c.kind].label}
                          {c.systemName && ` · ${c.systemName}`}
                          {c.eventTypes.length > 0 && ` · ${c.eventTypes.join(", ")}`}
                        </div>
                      </td>
                      <td className="px-3 py-2 text-xs">
                        {!c.enabled ? (
                          <Badge>disabled</Badge>
                        ) : c.lastError ? (
                          <Badge tone="red" title={c.lastError}>
                            last error
                          </Badge>
                        ) : c.lastDeliveredAt ? (
                          <Badge tone="green">ok</Badge>
                        ) : c.lastCheckedAt ? (
                          <Badge tone="blue" title="Its target answered the last check; nothing has been delivered through it yet.">
                            reachable
                          </Badge>
                        ) : (
                          <Badge title="Nothing has been delivered or checked yet, so its health is unknown.">not yet used</Badge>
                        )}
                        <div className="text-slate-500">{c.lastDeliveredAt ? `last delivery ${relative(c.lastDeliveredAt)}` : "nothing delivered yet"}</div>
                      </td>
                      <td className="px-3 py-2 text-right tabular-nums">{c.delivered}</td>
                      <td className="px-3 py-2 text-right tabular-nums">{c.pending + c.failed}</td>
                      <td className={`px-3 py-2 text-right tabular-nums ${c.dead ? "font-medium text-rose-700" : ""}`}>{c.dead}</td>
                    </tr>
                  ))}
                </TBody>
              </Table>
            </div>
          )}
          <p className="mt-2 text-xs text-slate-500">{undispatched} access events waiting to be dispatched.</p>
        </div>
        <Card title="Add a connector">
          {hasRole(caller, "admin") ? (
            <ConnectorForm systems={systemList} />
          ) : (
            <p className="text-sm text-slate-600">Auditors read connectors; admins add them.</p>
          )}
        </Card>
      </div>
    </>
  );
}
