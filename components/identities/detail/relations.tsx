import Link from "next/link";
import type { IdentityDetail } from "@/lib/identities/detail";
import { Card } from "@/components/ui/card";
import { kindLabels } from "@/components/ui/format";

/** A person's NHIs (owned or backed up) and direct reports, when there are any. */
export function Relations({ d }: { d: IdentityDetail }) {
  const human = d.identity.kind === "human";
  return (
    <>
      {human && (d.ownedIdentities.length > 0 || d.directReports.length > 0) && (
        <div className="mt-6 grid gap-6 lg:grid-cols-2">
          <Card title={`Owns or backs up (${d.ownedIdentities.length})`}>
            <ul className="max-h-72 overflow-y-auto text-sm">
              {d.ownedIdentities.map((o) => (
                <li key={o.id} className="py-0.5">
                  <Link className="text-brand-700 hover:underline" href={`/identities/${o.id}`}>
                    {o.name}
                  </Link>{" "}
                  <span className="text-slate-500">{kindLabels[o.kind]}</span>
                </li>
              ))}
            </ul>
          </Card>
          <Card title={`Direct reports (${d.directReports.length})`}>
            <ul className="text-sm">
              {d.directReports.map((r) => (
                <li key={r.id} className="py-0.5">
                  <Link className="text-brand-700 hover:underline" href={`/identities/${r.id}`}>
                    {r.displayName}
                  </Link>{" "}
                  <span className="text-slate-500">{r.title}</span>
                </li>
              ))}
            </ul>
          </Card>
        </div>
      )}
    </>
  );
}
