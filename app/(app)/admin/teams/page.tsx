import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/caller";
import { NotFoundError } from "@/lib/errors";
import { listActivePeople } from "@/lib/identities/list";
import { deletedTeamName, getTeam, listTeams } from "@/lib/teams/teams";
import { AddMemberForm, DeleteTeamButton, NewTeamForm, RemoveMemberButton, RenameTeamForm } from "@/components/admin/team-forms";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Forbidden } from "@/components/ui/forbidden";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TBody, THead, Th } from "@/components/ui/table";

export const metadata = { title: "Teams · Admin" };

export default async function TeamsPage({ searchParams }: { searchParams: Promise<{ team?: string; deleted?: string }> }) {
  const caller = await requireCaller();
  if (!hasRole(caller, "admin", "auditor")) return <Forbidden what="teams" />;
  const admin = hasRole(caller, "admin");
  const { team: chosen, deleted } = await searchParams;
  const db = await getDb();
  const [list, people, deletedName] = await Promise.all([listTeams(db, caller), listActivePeople(db), deleted ? deletedTeamName(db, caller, deleted) : null]);
  const detail = chosen
    ? await getTeam(db, caller, chosen).catch((e: unknown) => {
        if (e instanceof NotFoundError) notFound();
        throw e;
      })
    : null;
  const editable = admin && detail && !detail.team.managedBy;
  const inTeam = new Set(detail?.members.map((m) => m.id));
  return (
    <>
      <PageHeader
        title="Teams"
        description="Who works together: eligibility policies make whole teams eligible for elevation (or auto-approve them), and a person's primary team places them for reviews and lifecycle moves. Teams your identity provider pushes are changed there; define the others here. Every change is audited."
      />
      {deletedName && (
        <p role="status" className="mb-4 text-sm text-emerald-700">
          Team {deletedName} deleted.
        </p>
      )}
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="min-w-0 overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm lg:col-span-2">
          {list.length === 0 ? (
            <p className="p-4 text-sm text-slate-600">No teams yet.</p>
          ) : (
            <Table data-testid="team-table">
              <THead>
                <Th>Team</Th>
                <Th align="right">Members</Th>
                <Th align="right">NHIs</Th>
              </THead>
              <TBody>
                {list.map((t) => (
                  <tr key={t.id} className={t.id === chosen ? "bg-slate-50" : "hover:bg-slate-50"}>
                    <td className="px-3 py-2">
                      <Link
                        href={`/admin/teams?team=${t.id}`}
                        className="font-medium text-brand-700 hover:underline"
                        aria-current={t.id === chosen ? "true" : undefined}
                      >
                        {t.name}
                      </Link>
                      {t.managedBy && <div className="text-xs text-slate-500">from {t.managedBy.replace(/^scim:/, "identity provider ")}</div>}
                    </td>
                    <td className="px-3 py-2 text-right tabular-nums">{t.members}</td>
                    <td className="px-3 py-2 text-right tabular-nums">{t.nhis}</td>
                  </tr>
                ))}
              </TBody>
            </Table>
          )}
        </div>
        <Card title="Add a team">{admin ? <NewTeamForm /> : <p className="text-sm text-slate-600">Auditors read teams; admins change them.</p>}</Card>
      </div>
      {detail && (
        <div className="mt-6 grid gap-6 lg:grid-cols-3">
          <div className="min-w-0 lg:col-span-2">
            <h2 className="mb-2 text-sm font-semibold text-slate-800">Members of {detail.team.name}</h2>
            {detail.members.length === 0 ? (
              <p className="text-sm text-slate-600">Nobody yet.</p>
            ) : (
              <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
                <Table data-testid="member-table">
                  <THead>
                    <Th>Person</Th>
                    <Th>Primary team</Th>
                    {editable && <Th align="right">{""}</Th>}
                  </THead>
                  <TBody>
                    {detail.members.map((m) => (
                      <tr key={m.id} data-member={m.displayName}>
                        <td className="px-3 py-2">
                          <Link href={`/identities/${m.id}`} className="font-medium text-brand-700 hover:underline">
                            {m.displayName}
                          </Link>
                          <div className="text-xs text-slate-500">
                            {[m.title, m.email].filter(Boolean).join(" · ")}
                            {m.status !== "active" && <Badge tone="amber">{m.status}</Badge>}
                          </div>
                        </td>
                        <td className="px-3 py-2">{m.primary ? "this one" : <span className="text-slate-500">another</span>}</td>
                        {editable && (
                          <td className="px-3 py-2 text-right">
                            <RemoveMemberButton team={detail.team} person={m} />
                          </td>
                        )}
                      </tr>
                    ))}
                  </TBody>
                </Table>
              </div>
            )}
            {detail.policies.length > 0 && (
              <p className="mt-3 text-sm text-slate-600">
                Named by the eligibility {detail.policies.length === 1 ? "policy" : "policies"}{" "}
                {detail.policies.map((p, i) => (
                  <span key={p.id}>
                    {i > 0 && ", "}
                    <Link href={`/access-requests/policies/${p.id}`} className="text-brand-700 hover:underline">
                      {p.name}
                    </Link>
                  </span>
                ))}
                .
              </p>
            )}
          </div>
          <Card title={detail.team.name} key={detail.team.id}>
            {detail.team.managedBy ? (
              <p className="text-sm text-slate-600">
                Your identity provider ({detail.team.managedBy}) manages this team: change its name and members there, since its next sync would undo a change
                made here.
              </p>
            ) : editable ? (
              <div className="space-y-5">
                <AddMemberForm team={detail.team} candidates={people.filter((p) => !inTeam.has(p.id))} />
                <RenameTeamForm team={detail.team} />
                <DeleteTeamButton team={detail.team} members={detail.members.length} nhis={list.find((t) => t.id === detail.team.id)?.nhis ?? 0} />
              </div>
            ) : (
              <p className="text-sm text-slate-600">Auditors read teams; admins change them.</p>
            )}
          </Card>
        </div>
      )}
    </>
  );
}
