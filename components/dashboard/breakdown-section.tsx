import { Card } from "@/components/ui/card";
import { KindChart } from "@/components/dashboard/kind-chart";
import { LinkedBarChart } from "@/components/dashboard/linked-bar-chart";
import { kindLabels } from "@/components/ui/format";
import type { DashboardView } from "./view";

/** Open findings by system and by kind of identity, and the identities by kind. */
export function BreakdownSection({ v }: { v: DashboardView }) {
  const { d, systemIds, findings } = v;
  return (
    <div className="mt-6 grid gap-6 lg:grid-cols-2 xl:grid-cols-3">
      <Card title="Open findings by system">
        <LinkedBarChart
          testId="findings-by-system-chart"
          label="Open findings per system"
          name="Open findings"
          labelWidth={150}
          data={d.findingsBySystem.map((s) => ({
            label: s.key === "none" ? "No system" : s.key,
            value: s.count,
            href: s.key === "none" ? undefined : findings({ systemId: systemIds.get(s.key) }),
          }))}
        />
      </Card>
      <Card title="Open findings by identity kind">
        <LinkedBarChart
          testId="findings-by-identity-kind-chart"
          label="Open findings for people and for each kind of non-human identity"
          name="Open findings"
          labelWidth={120}
          data={d.findingsByIdentityKind.map((k, i) => ({
            label: k.key === "human" ? "People" : (kindLabels[k.key] ?? k.key),
            value: k.count,
            href: findings({ identityKind: k.key }),
            colour:
              k.key === "human"
                ? "var(--chart-2)"
                : ["var(--chart-1)", "var(--chart-5)", "var(--chart-7)", "var(--chart-3)", "var(--chart-6)", "var(--chart-4)"][i % 6],
          }))}
        />
      </Card>
      <Card title="Active identities by kind" className="lg:col-span-2 xl:col-span-1">
        <KindChart data={d.identitiesByKind.map((k) => ({ label: kindLabels[k.key] ?? k.key, count: k.count }))} />
      </Card>
    </div>
  );
}
