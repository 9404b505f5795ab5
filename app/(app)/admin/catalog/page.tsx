import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { systemKinds } from "@/db/schema";
import { requireCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/caller";
import { listCatalog, listSystemEntitlements } from "@/lib/catalog/catalog";
import { NotFoundError } from "@/lib/errors";
import { listActivePeople } from "@/lib/identities/list";
import { EntitlementEditor, EntitlementForm, SystemForm } from "@/components/admin/catalog-forms";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Forbidden } from "@/components/ui/forbidden";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TBody, THead, Th } from "@/components/ui/table";
import { levelTone } from "@/components/reconciliation/labels";

export const metadata = { title: "Systems and entitlements · Admin" };

export default async function CatalogPage({ searchParams }: { searchParams: Promise<{ system?: string }> }) {
  const caller = await requireCaller();
  if (!hasRole(caller, "admin", "auditor")) return <Forbidden what="systems and entitlements" />;
  const admin = hasRole(caller, "admin");
  const { system: chosen } = await searchParams;
  const db = await getDb();
  const [catalog, people] = await Promise.all([listCatalog(db, caller), listActivePeople(db)]);
  const choices = people.map((p) => ({ id: p.id, name: p.displayName }));
  const detail = chosen
    ? await listSystemEntitlements(db, caller, chosen).catch((e: unknown) => {
        if (e instanceof NotFoundError) notFound();
        throw e;
      })
    : null;
  return (
    <>
      <PageHeader
        title="Systems and entitlements"
        description="What each system grants, who owns it and how privileged it is. Imports keep their own systems up to date; define here the ones no importer covers. Every change is audited."
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm lg:col-span-2">
          <Table data-testid="system-table">
            <THead>
              <Th>System</Th>
              <Th>Kind</Th>
              <Th>Owner</Th>
              <Th align="right">Entitlements</Th>
            </THead>
            <TBody>
              {catalog.map((s) => (
                <tr key={s.id} className={s.id === chosen ? "bg-slate-50" : "hover:bg-slate-50"}>
                  <td className="px-3 py-2">
                    <Link
                      href={`/admin/catalog?system=${s.id}`}
                      className="font-medium text-brand-700 hover:underline"
                      aria-current={s.id === chosen ? "true" : undefined}
                    >
                      {s.name}
                    </Link>
                    <div className="text-xs text-slate-500">
                      {s.environment}
                      {s.externalId ? ` · ${s.externalId}` : " · defined here"}
                    </div>
                  </td>
                  <td className="px-3 py-2">{s.kind.replace("_", " ")}</td>
                  <td className="px-3 py-2">{s.ownerName ?? <span className="text-amber-700">nobody</span>}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{s.entitlements}</td>
                </tr>
              ))}
            </TBody>
          </Table>
        </div>
        <Card title="Add a system">
          {admin ? (
            <SystemForm people={choices} kinds={systemKinds} />
          ) : (
            <p className="text-sm text-slate-600">Auditors read the catalogue; admins change it.</p>
          )}
        </Card>
      </div>
      {detail && (
        <div className="mt-6 grid gap-6 lg:grid-cols-3">
          <div className="min-w-0 lg:col-span-2">
            <h2 className="mb-2 text-sm font-semibold text-slate-800">Entitlements of {detail.system.name}</h2>
            {detail.entitlements.length === 0 ? (
              <p className="text-sm text-slate-600">None yet.</p>
            ) : (
              <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
                <Table data-testid="entitlement-table">
                  <THead>
                    <Th>Entitlement</Th>
                    <Th align="right">Live grants</Th>
                    <Th>Level and owner</Th>
                  </THead>
                  <TBody>
                    {detail.entitlements.map((e) => (
                      <tr key={e.id} data-entitlement={e.name}>
                        <td className="px-3 py-2">
                          <span className="font-medium">{e.name}</span>
                          {e.imported && <span className="ml-2 text-xs text-slate-500">imported with its permissions</span>}
                          {e.description && <div className="text-xs text-slate-500">{e.description}</div>}
                        </td>
                        <td className="px-3 py-2 text-right tabular-nums">{e.liveGrants}</td>
                        <td className="px-3 py-2">
                          {admin ? (
                            <EntitlementEditor entitlement={e} people={choices} />
                          ) : (
                            <>
                              <Badge tone={levelTone[e.privilegeLevel]}>{e.privilegeLevel}</Badge> {e.ownerName ?? "no owner"}
                            </>
                          )}
                        </td>
                      </tr>
                    ))}
                  </TBody>
                </Table>
              </div>
            )}
          </div>
          {admin && (
            <Card title={`Add an entitlement to ${detail.system.name}`}>
              <EntitlementForm systemId={detail.system.id} people={choices} />
            </Card>
          )}
        </div>
      )}
    </>
  );
}
