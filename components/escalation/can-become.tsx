import Link from "next/link";
import type { Escalation } from "@/lib/escalation/read";
import { EscalationPath } from "./path-steps";
import { levelTone } from "@/components/reconciliation/labels";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { formatDateTime, relative } from "@/components/ui/format";

const ROLES_SHOWN = 20;

/**
 * "Can become": the escalation analysis's verdict on one identity — its level
 * from effective access and reach, the shortest way to administrator drawn step
 * by step (action, resource, the policy statement that allows it), and the
 * roles and service accounts it can act as.
 */
export function CanBecome({ e }: { e: Escalation }) {
  const steps = e.escalation[0]?.steps ?? [];
  return (
    <Card title="Can become" className="mt-6">
      <div id="can-become" data-testid="can-become" className="scroll-mt-20">
        {!e.computedAt ? (
          <p className="text-sm text-slate-600">Not analysed yet: the escalation analysis runs after every IAM or Kubernetes RBAC import, and hourly.</p>
        ) : (
          <>
            <p className="flex flex-wrap items-center gap-2 text-sm">
              {e.privilegeLevel && <Badge tone={levelTone[e.privilegeLevel]}>{e.privilegeLevel}</Badge>}
              <span data-testid="can-become-verdict">
                {e.holdsAdmin
                  ? "Holds administrator-equivalent access through what it is granted itself."
                  : e.reachesAdmin
                    ? `${e.conditional ? "May escalate" : "Can escalate"} to administrator in ${steps.length} step${steps.length === 1 ? "" : "s"}${e.conditional ? ", if the conditions marked below hold" : ""}.`
                    : e.privilegeLevel === "standard"
                      ? "Cannot reach administrator access; its effective access only reads."
                      : "Cannot reach administrator access."}
              </span>
            </p>
            {steps.length > 0 && (
              <div className="mt-3">
                <EscalationPath steps={steps} ids={e.identityIds} />
              </div>
            )}
            <div className="mt-4 text-sm">
              <span className="font-medium text-slate-700">Roles and service accounts it can act as ({e.reachable.count.toLocaleString("en")})</span>
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
