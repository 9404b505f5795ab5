import Link from "next/link";
import { getDb } from "@/db/client";
import { roles } from "@/db/schema";
import { requireCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/caller";
import { listRoleAssignments } from "@/lib/auth/roles";
import { listActivePeople } from "@/lib/identities/list";
import { RoleEditor } from "@/components/admin/role-editor";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Forbidden } from "@/components/ui/forbidden";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TBody } from "@/components/ui/table";

export const metadata = { title: "Admin" };

export default async function AdminPage() {
  const caller = await requireCaller();
  if (!hasRole(caller, "admin", "auditor")) return <Forbidden what="administration" />;
  const db = await getDb();
  const [assignments, people] = await Promise.all([listRoleAssignments(db, caller), listActivePeople(db)]);
  const byPerson = new Map<string, { id: string; displayName: string; title: string | null; roles: string[] }>();
  for (const a of assignments) {
    const entry = byPerson.get(a.identityId) ?? { id: a.identityId, displayName: a.displayName, title: a.title, roles: [] };
    entry.roles.push(a.role);
    byPerson.set(a.identityId, entry);
  }
  const privileged = [...byPerson.values()].filter((p) => p.roles.some((r) => r !== "requester" && r !== "owner"));
  return (
    <>
      <PageHeader
        title="Admin"
        description="Who holds which role in this product. Roles from the identity provider's claim take precedence over the ones kept here."
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card title={`People with governance roles (${privileged.length})`} className="lg:col-span-2">
          <Table data-testid="role-table">
            <TBody>
              {privileged.map((p) => (
                <tr key={p.id}>
                  <td className="py-2 pr-3 font-medium">{p.displayName}</td>
                  <td className="py-2 pr-3 text-slate-500">{p.title}</td>
                  <td className="flex flex-wrap gap-1 py-2">
                    {p.roles.map((r) => (
                      <Badge key={r} tone={r === "admin" ? "red" : r === "auditor" ? "purple" : "blue"}>
                        {r}
                      </Badge>
                    ))}
                  </td>
                </tr>
              ))}
            </TBody>
          </Table>
        </Card>
        <Card title="Change roles">
          {hasRole(caller, "admin") ? (
            <RoleEditor people={people.map((p) => ({ ...p, roles: byPerson.get(p.id)?.roles ?? [] }))} allRoles={roles} />
          ) : (
            <p className="text-sm text-slate-600">Auditors can read role assignments but not change them.</p>
          )}
        </Card>
      </div>
      <Card title="Machine access and enforcement" className="mt-6">
        <ul className="space-y-1 text-sm text-slate-600">
          <li>
            <Link href="/admin/tokens" className="font-medium text-brand-700 hover:underline">
              API tokens
            </Link>{" "}
            for pipelines acting as their NHI, usage and session sources, and identity providers (SCIM at <code>/scim/v2</code>).
          </li>
          <li>
            <Link href="/admin/catalog" className="font-medium text-brand-700 hover:underline">
              Systems and entitlements
            </Link>{" "}
            that no importer covers: their owners and privilege levels, defined by hand.
          </li>
          <li>
            <Link href="/admin/teams" className="font-medium text-brand-700 hover:underline">
              Teams
            </Link>{" "}
            that no identity provider pushes: who is in each, for eligibility policies and primary teams.
          </li>
          <li>
            <Link href="/admin/attestation" className="font-medium text-brand-700 hover:underline">
              Attestation policy
            </Link>{" "}
            per kind of NHI: how often owners attest, and when they are reminded.
          </li>
          <li>
            <Link href="/admin/notifications" className="font-medium text-brand-700 hover:underline">
              Notifications
            </Link>{" "}
            by email and chat: what reaches people by default, and deliveries that are failing.
          </li>
          <li>
            <Link href="/admin/connectors" className="font-medium text-brand-700 hover:underline">
              Connectors
            </Link>{" "}
            that enforce grants and revocations in PostgreSQL or tell other systems through signed webhooks, with their delivery log.
          </li>
          <li>
            <Link href="/admin/credentials" className="font-medium text-brand-700 hover:underline">
              Credential rotation
            </Link>{" "}
            ages by type, and the rotation tasks waiting on owners.
          </li>
        </ul>
      </Card>
    </>
  );
}
