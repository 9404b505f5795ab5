// An identity's effective permissions, statement by statement: every Allow it
// holds, with the resources and conditions it was written with (never widened
// to "*"), and what became of it once denies, the permissions boundary and
// the organisation's SCPs are applied.

import type { PermissionStatement } from "@/db/schema";
import { compileAction, decide, principalContext, type Citation, type PrincipalPolicies } from "./evaluate";
import { unknownKeys } from "./conditions";

export type EffectiveStatement = {
  policy: string;
  statement: number;
  sid?: string;
  actions?: string[];
  notActions?: string[];
  /** As written: specific ARNs stay specific. Absent: any resource. */
  resources?: string[];
  notResources?: string[];
  /** allowed: as written; conditional: only when its conditions (or a conditional deny) allow; removed: a deny, the boundary or an SCP takes it away. */
  status: "allowed" | "conditional" | "removed";
  /** Condition keys it depends on. */
  dependsOn: string[];
  /** What removed it, when something did. */
  removedBy?: Citation | "permissions boundary" | "service control policy";
};

/**
 * Judges each identity Allow statement as a whole: an action pattern on one of
 * its resources survives when some request it covers is still allowed.
 */
export function effectiveStatements(p: PrincipalPolicies, now: Date): EffectiveStatement[] {
  const ctx = principalContext(p, now);
  const out: EffectiveStatement[] = [];
  for (const src of p.identity) {
    src.statements.forEach((s: PermissionStatement, statement) => {
      if (s.effect !== "Allow") return;
      const patterns = s.actions ?? ["*"];
      const resources = s.resources ?? ["*"];
      let best: "allowed" | "conditional" | "removed" = "removed";
      let removedBy: EffectiveStatement["removedBy"];
      const dependsOn = new Set(unknownKeys(s.condition, ctx));
      for (const action of patterns) {
        const compiled = compileAction(p, action, ctx);
        for (const resource of resources) {
          const v = decide(compiled, resource, true);
          v.dependsOn.forEach((k) => dependsOn.add(k));
          if (v.decision === "allowed") best = "allowed";
          else if (v.decision === "conditional" && best === "removed") best = "conditional";
          else if (v.decision === "denied" && !removedBy) {
            removedBy = v.deniedBy ?? (p.boundary && compiled.levels[1]?.length === 0 ? "permissions boundary" : "service control policy");
          }
        }
      }
      out.push({
        policy: src.policy,
        statement,
        ...(s.sid ? { sid: s.sid } : {}),
        ...(s.actions ? { actions: s.actions } : { notActions: s.notActions }),
        ...(s.resources ? { resources: s.resources } : {}),
        ...(s.notResources ? { notResources: s.notResources } : {}),
        status: best,
        dependsOn: [...dependsOn],
        ...(best === "removed" && removedBy ? { removedBy } : {}),
      });
    });
  }
  return out;
}
