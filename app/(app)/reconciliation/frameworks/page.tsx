import Link from "next/link";
import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/caller";
import { FINDING_READERS } from "@/lib/reconciliation/findings";
import { frameworkView } from "@/lib/reconciliation/frameworks";
import { findingKindLabels, findingsHref, severities, severityTone } from "@/components/reconciliation/labels";
import { Badge } from "@/components/ui/badge";
import { Forbidden } from "@/components/ui/forbidden";

export const metadata = { title: "Frameworks · Reconciliation" };

/** The findings as evidence for the controls auditors ask about: OWASP NHI Top 10 (2025) and NIST CSF 2.0. */
export default async function FrameworksPage() {
  const caller = await requireCaller();
  if (!hasRole(caller, ...FINDING_READERS)) return <Forbidden what="framework mappings" />;
  const controls = await frameworkView(await getDb(), caller);
  const frameworks = [...new Set(controls.map((c) => c.framework))];
  return (
    <div className="space-y-8">
      {frameworks.map((fw) => (
        <section key={fw} aria-labelledby={`fw-${fw}`}>
          <h2 id={`fw-${fw}`} className="mb-1 text-lg font-semibold">
            {fw}
          </h2>
          <p className="mb-3 text-sm text-slate-600">
            {fw.startsWith("OWASP")
              ? "Risks specific to non-human identities: only findings about service accounts, keys, roles, bots, agents and certificates count here."
              : "Subcategories of the Protect and Detect functions, for people and non-human identities alike."}
          </p>
          <ul className="grid gap-4 md:grid-cols-2 xl:grid-cols-4">
            {controls
              .filter((c) => c.framework === fw)
              .map((c) => (
                <li key={c.id} className="flex flex-col rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid={`control-${c.id}`}>
                  <div className="flex items-start justify-between gap-2">
                    <div>
                      <div className="font-mono text-xs text-slate-500">{c.code}</div>
                      <h3 className="font-medium">{c.title}</h3>
                    </div>
                    <Link href={findingsHref({ control: c.id })} className="text-right hover:underline" aria-label={`${c.open} open findings for ${c.code}`}>
                      <span className={`block text-2xl font-semibold tabular-nums ${c.open ? "text-rose-700" : "text-emerald-700"}`}>
                        {c.open.toLocaleString("en")}
                      </span>
                      <span className="block text-xs text-slate-500">open</span>
                    </Link>
                  </div>
                  <p className="mt-1 flex-1 text-sm text-slate-600">{c.summary}</p>
                  <div className="mt-3 flex flex-wrap gap-1.5">
                    {severities.map((s) =>
                      c.bySeverity[s] ? (
                        <Link key={s} href={findingsHref({ control: c.id, severity: s })} className="hover:opacity-80">
                          <Badge tone={severityTone[s]}>
                            {s} {c.bySeverity[s].toLocaleString("en")}
                          </Badge>
                        </Link>
                      ) : null,
                    )}
                    {c.open === 0 && <Badge tone="green">no open findings</Badge>}
                  </div>
                  <p className="mt-3 text-xs text-slate-500">Evidence: {c.kinds.map((k) => findingKindLabels[k] ?? k).join(", ")}</p>
                  <Link href={findingsHref({ control: c.id })} className="mt-2 text-sm text-brand-700 hover:underline">
                    Findings for {c.code} →
                  </Link>
                </li>
              ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
