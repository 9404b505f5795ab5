import { Card } from "@/components/ui/card";
import { dayTick } from "@/components/dashboard/chart-theme";
import { LinkedBarChart } from "@/components/dashboard/linked-bar-chart";
import { PrivilegeTrendChart } from "@/components/dashboard/trend-charts";
import { fmt, type DashboardView } from "./view";

/** Approved against used privilege over 90 days, and who holds the most unused. */
export function PrivilegeSection({ v }: { v: DashboardView }) {
  const { d, f, firstUsedDay } = v;
  return (
    <div className="mt-6 grid gap-6 xl:grid-cols-3">
      <Card title="Approved vs used privilege, 90 days" className="xl:col-span-2">
        <PrivilegeTrendChart data={d.trend.map((t) => ({ day: t.day, approved: t.privilegedApproved ?? 0, used: t.privilegedUsed ?? null }))} />
        <p className="mt-2 text-xs text-slate-500">
          The gap between the lines is approved privileged access nobody used in the 30 days before that day.
          {!firstUsedDay
            ? " Use is shown once 30 days of usage are on record."
            : firstUsedDay !== d.trend[0]?.day
              ? ` Use is shown from ${dayTick(firstUsedDay)}, the first day with 30 days of usage on record before it.`
              : ""}
        </p>
      </Card>
      <Card title="Top identities by creep score">
        {d.topCreep.length === 0 ? (
          <p className="text-sm text-slate-600">No identity holds privileged access.</p>
        ) : (
          <LinkedBarChart
            testId="creep-chart"
            label="Identities with the highest share of unused privileged access"
            name="Creep score"
            max={100}
            labelWidth={170}
            data={d.topCreep.map((c) => ({
              label: c.name,
              value: c.creepScore,
              href: `/identities/${c.identityId}`,
              note: `${c.unusedPrivileged} of ${c.privilegedGrants} privileged grants unused`,
            }))}
          />
        )}
        <p className="mt-2 text-xs text-slate-500">
          Share of an identity&apos;s privileged grants unused in 90 days. {fmt(f("highCreepIdentities"))} identities score 50 or more.
        </p>
      </Card>
    </div>
  );
}
