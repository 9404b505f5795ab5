import Link from "next/link";
import { statementLabel, type Escalation, type StepView } from "@/lib/escalation/read";
import { pathClassById } from "@/lib/escalation/catalogue";
import { levelTone } from "@/components/reconciliation/labels";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { formatDateTime, relative } from "@/components/ui/format";

const ROLES_SHOWN = 20;

/** Where a path class is documented, named as its readers know it. */
function sourceLabel(url: string) {
  const u = new URL(url);
  if (u.hostname === "pathfinding.cloud") return `pathfinding.cloud ${u.pathname.split("/").filter(Boolean).pop()}`;
  if (u.pathname.includes("/PMapper/")) return "PMapper";
  if (u.pathname.includes("/cloudsplaining/")) return "Cloudsplaining";
  if (u.hostname.endsWith("rhinosecuritylabs.com")) return "Rhino Security Labs";
  return u.hostname;
}

/** An ARN as people read it: the resource part ("role/deploy"), the whole ARN on hover. */
function Principal({ arn, ids }: { arn: string; ids: Record<string, string> }) {
  const label = arn === "admin" ? "administrator access" : arn.startsWith("arn:") ? arn.split(":").slice(5).join(":") : arn;
  const id = ids[arn];
  return id ? (
    <Link href={`/identities/${id}`} className="font-mono text-brand-700 hover:underline" title={arn}>
      {label}
    </Link>
  ) : (
    <span className="font-mono" title={arn}>
      {label}
    </span>
  );
}

function Step({ step, n, ids }: { step: StepView; n: number; ids: Record<string, string> }) {
  const cls = pathClassById.get(step.pathClass);
  return (
    <li className="relative border-l-2 border-slate-200 pb-4 pl-5 last:pb-0" data-testid="escalation-step">
      <span className="absolute -left-[11px] top-0 flex h-5 w-5 items-center justify-center rounded-full bg-slate-700 text-[11px] font-semibold text-white">{n}</span>
      <p className="text-sm">
        <Principal arn={step.from} ids={ids} /> <span className="text-slate-400">→</span> <Principal arn={step.to} ids={ids} />
        {step.conditional && (
          <Badge tone="amber" title="Allowed only under a condition, or needing something the IAM export does not show">
            conditional
          </Badge>
        )}
      </p>
      <p className="mt-0.5 text-sm text-slate-700">
        {step.description}
        {cls && (
          <span className="text-xs text-slate-500">
            {" "}
            · {cls.category.replace("-", " ")} ·{" "}
            {step.sources.map((s, i) => (
              <span key={s}>
                {i ? ", " : ""}
                <a href={s} target="_blank" rel="noreferrer noopener" className="text-brand-700 hover:underline">
                  {sourceLabel(s)}
                </a>
              </span>
            ))}
          </span>
        )}
      </p>
      <ul className="mt-1 space-y-0.5 text-xs text-slate-600">
        {step.actions.map((a) => (
          <li key={`${a.action} ${a.resource}`} className="break-all">
            <span className="font-mono text-slate-800">{a.action}</span> on <span className="font-mono">{a.resource}</span>
            {a.allowedBy.length > 0 && (
              <>
                {" "}
                — allowed by{" "}
                {a.allowedBy.map((c, i) => (
                  <span key={`${c.policy}#${c.statement}`}>
                    {i ? ", " : ""}
                    <span className="font-mono">{c.policy}</span> {statementLabel(c)}
                  </span>
                ))}
              </>
            )}
            {a.conditional && <span className="text-amber-700"> · under a condition</span>}
          </li>
        ))}
      </ul>
      {step.needs && <p className="mt-1 text-xs text-amber-700">Needs: {step.needs}</p>}
      {step.dependsOn.length > 0 && <p className="mt-1 text-xs text-amber-700">Depends on: {step.dependsOn.join(", ")}</p>}
    </li>
  );
}

/**
 * "Can become": the escalation analysis's verdict on one identity — its level
 * from effective access and reach, the shortest way to administrator drawn step
 * by step (action, resource, the policy statement that allows it), and the
 * roles it can act as.
 */
export function CanBecome({ e }: { e: Escalation }) {
  const steps = e.escalation[0]?.steps ?? [];
  return (
    <Card title="Can become" className="mt-6">
      <div id="can-become" data-testid="can-become" className="scroll-mt-20">
        {!e.computedAt ? (
          <p className="text-sm text-slate-600">Not analysed yet: the escalation analysis runs after every IAM import and hourly.</p>
        ) : (
          <>
            <p className="flex flex-wrap items-center gap-2 text-sm">
              {e.privilegeLevel && <Badge tone={levelTone[e.privilegeLevel]}>{e.privilegeLevel}</Badge>}
              <span data-testid="can-become-verdict">
                {e.holdsAdmin
                  ? "Holds administrator-equivalent access through its own policies."
                  : e.reachesAdmin
                    ? `${e.conditional ? "May escalate" : "Can escalate"} to administrator in ${steps.length} step${steps.length === 1 ? "" : "s"}${e.conditional ? ", if the conditions marked below hold" : ""}.`
                    : e.privilegeLevel === "standard"
                      ? "Cannot reach administrator access; its effective access only reads."
                      : "Cannot reach administrator access."}
              </span>
            </p>
            {steps.length > 0 && (
              <ol className="ml-3 mt-4" aria-label="Shortest path to administrator">
                {steps.map((s, i) => (
                  <Step key={i} step={s} n={i + 1} ids={e.identityIds} />
                ))}
              </ol>
            )}
            <div className="mt-4 text-sm">
              <span className="font-medium text-slate-700">Roles it can act as ({e.reachable.count.toLocaleString("en")})</span>
              {e.reachable.count === 0 ? (
                <span className="text-slate-500"> — none.</span>
              ) : (
                <ul className="mt-1 flex flex-wrap gap-x-3 gap-y-1 text-xs">
                  {e.reachable.roles.slice(0, ROLES_SHOWN).map((r) => (
                    <li key={r.id}>
                      <Link href={`/identities/${r.id}`} className="font-mono text-brand-700 hover:underline">
                        {r.name}
                      </Link>
                    </li>
                  ))}
                  {e.reachable.count > ROLES_SHOWN && <li className="text-slate-500">and {(e.reachable.count - ROLES_SHOWN).toLocaleString("en")} more</li>}
                </ul>
              )}
            </div>
            <p className="mt-3 text-xs text-slate-500" title={formatDateTime(e.computedAt)}>
              As of the escalation analysis {relative(e.computedAt)}.
            </p>
          </>
        )}
      </div>
    </Card>
  );
}
