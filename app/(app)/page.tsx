import Link from "next/link";
import { getDb } from "@/db/client";
import { getCaller } from "@/lib/auth/auth";
import { INVENTORY_READERS, hasRole } from "@/lib/auth/caller";
import { inventorySummary } from "@/lib/dashboard/summary";
import { KindChart } from "@/components/dashboard/kind-chart";
import { Card } from "@/components/ui/card";
import { kindLabels } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";

export const metadata = { title: "Dashboard" };

function Stat({ label, value, href, hint }: { label: string; value: number; href?: string; hint: string }) {
  const body = (
    <>
      <div className="text-sm text-slate-600">{label}</div>
      <div className="mt-1 text-3xl font-semibold tabular-nums">{value.toLocaleString("en")}</div>
      <div className="mt-1 text-xs text-slate-500">{hint}</div>
    </>
  );
  const cls = "block rounded-lg border border-slate-200 bg-white p-4 shadow-sm";
  return href ? (
    <Link href={href} className={`${cls} hover:border-brand-600`}>
      {body}
    </Link>
  ) : (
    <div className={cls}>{body}</div>
  );
}

export default async function DashboardPage() {
  const caller = (await getCaller())!;
  if (!hasRole(caller, ...INVENTORY_READERS)) {
    return (
      <>
        <PageHeader title={`Welcome, ${caller.name}`} description="Your own access and the non-human identities you own." />
        <div className="grid gap-4 sm:grid-cols-2">
          <Link href={`/identities/${caller.identityId}`} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm hover:border-brand-600">
            <div className="font-medium">My access</div>
            <div className="text-sm text-slate-600">Grants, their provenance and expiry, and recent use.</div>
          </Link>
          <Link href={`/identities?ownerId=${caller.identityId}`} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm hover:border-brand-600">
            <div className="font-medium">Identities I own</div>
            <div className="text-sm text-slate-600">Service accounts, keys, roles, bots and agents you are accountable for.</div>
          </Link>
        </div>
      </>
    );
  }
  const s = await inventorySummary(await getDb(), caller);
  const total = s.byKind.reduce((n, k) => n + k.count, 0);
  const humans = s.byKind.find((k) => k.kind === "human")?.count ?? 0;
  return (
    <>
      <PageHeader
        title="Dashboard"
        description={`${total.toLocaleString("en")} active identities; ${(total - humans).toLocaleString("en")} are non-human (${humans ? Math.round((total - humans) / humans) : 0} per person).`}
      />
      <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
        <Stat label="Orphaned NHIs" value={s.orphans} href="/identities?orphaned=true" hint="Owner missing, disabled or gone" />
        <Stat label="Standing privileged grants" value={s.standingPrivileged} href="/identities?privileged=true" hint="Privileged or admin, always on" />
        <Stat label={`Privileged grants unused ${s.unusedDays}+ days`} value={s.unusedPrivileged} hint="Approved (or not) but never exercised" />
        <Stat label="Unapproved active grants" value={s.unapproved} hint="No governance decision behind them" />
        <Stat label="Overdue NHI attestations" value={s.overdueAttestations} href="/attestations" hint="Owner has not confirmed purpose" />
        <Stat label="Credentials not rotated in a year" value={s.staleCredentials} hint="Keys, tokens and secrets" />
      </div>
      <Card title="Active identities by kind" className="mt-6">
        <KindChart data={s.byKind.map((k) => ({ label: kindLabels[k.kind] ?? k.kind, count: k.count }))} />
      </Card>
    </>
  );
}
