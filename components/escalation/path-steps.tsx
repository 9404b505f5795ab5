import type { PermissionStatement } from "@/db/schema/access";
import { shortName, type StepView } from "@/lib/escalation/steps";
import { Badge } from "@/components/ui/badge";

const code = "break-all rounded bg-slate-100 px-1 font-mono text-[11px] text-slate-700";

/** A policy as cited, without the account's ARN prefix: "user/ci-bot#inline/assume-deployer", "trust policy of role/deployer". */
const policyName = (policy: string) => policy.replace(/arn:aws[a-z-]*:iam::(\d{12}|aws):/g, "");

/** Where a statement is: its Sid when it has one, else its position in the policy (as the CLI prints it). */
const statementRef = (c: { statement: number; sid?: string | null }) => `statement ${c.sid ?? c.statement}`;

/**
 * A path to administrator access, step by step: who acts on whom, what the
 * step does, and each action it needs on which resource, with the policy and
 * statement that allow it.
 */
export function EscalationPath({ steps }: { steps: StepView[] }) {
  return (
    <ol className="mt-1.5 space-y-2 text-xs text-slate-700" data-testid="escalation-path">
      {steps.map((s, i) => (
        <li key={i} data-testid="path-step">
          <div>
            <span className="text-slate-500">{i + 1}.</span>{" "}
            <span className="font-medium" title={`${s.from} → ${s.to}`}>
              {shortName(s.from)} → {shortName(s.to)}
            </span>
            : {s.title}{" "}
            {s.conditional && (
              <Badge tone="amber" title={s.dependsOn.length ? `Holds only when ${s.dependsOn.join(", ")} allow it` : undefined}>
                conditional{s.dependsOn.length ? `: ${s.dependsOn.join(", ")}` : ""}
              </Badge>
            )}
          </div>
          {s.needs && <div className="ml-4 text-slate-500">needs {s.needs}</div>}
          <ul className="ml-4 mt-0.5 space-y-0.5">
            {s.actions.map((a, j) => (
              <li key={j}>
                <code className={code}>{a.action}</code> on <code className={code}>{a.resource}</code>
                {a.allowedBy.length > 0 && (
                  <>
                    {" "}
                    allowed by{" "}
                    {a.allowedBy.map((c, k) => (
                      <span key={k}>
                        {k > 0 && "; "}
                        <code className={code} title={c.policy}>
                          {policyName(c.policy)}
                        </code>{" "}
                        {statementRef(c)}
                      </span>
                    ))}
                  </>
                )}
                {a.conditional && <span className="text-amber-700"> (under a condition)</span>}
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}

const list = (m: Record<string, string[]> | undefined) =>
  m
    ? Object.entries(m)
        .map(([type, values]) => `${type}: ${values.join(", ")}`)
        .join("; ")
    : null;

/** A trust-policy statement as written: who it trusts, to do what, under which conditions. */
export function TrustStatement({ roleArn, statement, sid, trust }: { roleArn?: string; statement: number; sid?: string | null; trust?: PermissionStatement | null }) {
  const conditions = Object.entries(trust?.condition ?? {}).flatMap(([op, keys]) => Object.entries(keys).map(([key, values]) => `${op} ${key} = ${values.join(", ")}`));
  return (
    <dl className="mt-1.5 grid grid-cols-[auto_1fr] gap-x-2 gap-y-0.5 text-xs text-slate-700" data-testid="trust-statement">
      {roleArn && (
        <>
          <dt className="text-slate-500">Role</dt>
          <dd>
            <code className={code}>{roleArn}</code>
          </dd>
        </>
      )}
      <dt className="text-slate-500">Statement</dt>
      <dd>{statementRef({ statement, sid })} of its trust policy</dd>
      {trust && (
        <>
          <dt className="text-slate-500">{trust.notPrincipals ? "NotPrincipal" : "Principal"}</dt>
          <dd>
            <code className={code}>{list(trust.notPrincipals ?? trust.principals) ?? "—"}</code>
          </dd>
          <dt className="text-slate-500">{trust.notActions ? "NotAction" : "Action"}</dt>
          <dd>
            <code className={code}>{(trust.notActions ?? trust.actions ?? []).join(", ")}</code>
          </dd>
          <dt className="text-slate-500">Condition</dt>
          <dd>{conditions.length ? conditions.map((c) => <code key={c} className={`${code} mr-1`}>{c}</code>) : "none: any AWS account may assume it"}</dd>
        </>
      )}
    </dl>
  );
}
