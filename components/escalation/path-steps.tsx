import type { PermissionStatement } from "@/db/schema/access";
import Link from "next/link";
import { pathClassById } from "@/lib/escalation/catalogue";
import { shortName, statementLabel, type StepView } from "@/lib/escalation/steps";
import { Badge } from "@/components/ui/badge";

const code = "break-all rounded bg-slate-100 px-1 font-mono text-[11px] text-slate-700";

/** A policy as cited, without the account's ARN prefix: "user/ci-bot#inline/assume-deployer", "trust policy of role/deployer". */
const policyName = (policy: string) => policy.replace(/arn:aws[a-z-]*:iam::(\d{12}|aws):/g, "");

/** Where a path class is documented, named as its readers know it. */
function sourceLabel(url: string) {
  const u = new URL(url);
  if (u.hostname === "pathfinding.cloud") return `pathfinding.cloud ${u.pathname.split("/").filter(Boolean).pop()}`;
  if (u.pathname.includes("/PMapper/")) return "PMapper";
  if (u.pathname.includes("/cloudsplaining/")) return "Cloudsplaining";
  if (u.hostname.endsWith("rhinosecuritylabs.com")) return "Rhino Security Labs";
  return u.hostname;
}

/** A principal as people read it ("role/deploy"), linked to its identity page when it has one, the whole ARN on hover. */
function Principal({ arn, ids }: { arn: string; ids?: Record<string, string> }) {
  const id = ids?.[arn];
  return id ? (
    <Link href={`/identities/${id}`} className="font-medium text-brand-700 hover:underline" title={arn}>
      {shortName(arn)}
    </Link>
  ) : (
    <span className="font-medium" title={arn}>
      {shortName(arn)}
    </span>
  );
}

/**
 * A path to administrator access, step by step: who acts on whom, what the
 * step does (with the class's sources), and each action it needs on which
 * resource, with the policy and statement that allow it. The identity page
 * and the findings list both draw paths with it.
 */
export function EscalationPath({ steps, ids }: { steps: StepView[]; ids?: Record<string, string> }) {
  return (
    <ol className="ml-2 mt-2 text-xs text-slate-700" data-testid="escalation-path" aria-label="Path to administrator access">
      {steps.map((s, i) => {
        const cls = pathClassById.get(s.pathClass);
        return (
          <li key={i} className="relative border-l-2 border-slate-200 pb-3 pl-4 last:pb-0" data-testid="path-step">
            <span className="absolute -left-[9px] top-0 flex h-4 w-4 items-center justify-center rounded-full bg-slate-700 text-[10px] font-semibold text-white">
              {i + 1}
            </span>
            <div className="text-sm">
              <Principal arn={s.from} ids={ids} /> <span className="text-slate-400">→</span> <Principal arn={s.to} ids={ids} />{" "}
              {s.conditional && (
                <Badge
                  tone="amber"
                  title={s.dependsOn.length ? `Holds only when ${s.dependsOn.join(", ")} allow it` : "Needs something the imported access does not show"}
                >
                  conditional{s.dependsOn.length ? `: ${s.dependsOn.join(", ")}` : ""}
                </Badge>
              )}
            </div>
            <div className="mt-0.5">
              {s.title}
              {cls && s.sources.length > 0 && (
                <span className="text-slate-500">
                  {" "}
                  · {cls.category.replace("-", " ")} ·{" "}
                  {s.sources.map((src, k) => (
                    <span key={src}>
                      {k > 0 && ", "}
                      <a href={src} target="_blank" rel="noreferrer noopener" className="text-brand-700 hover:underline">
                        {sourceLabel(src)}
                      </a>
                    </span>
                  ))}
                </span>
              )}
            </div>
            {s.needs && <div className="text-amber-700">needs {s.needs}</div>}
            <ul className="mt-0.5 space-y-0.5">
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
                          {statementLabel(c)}
                        </span>
                      ))}
                    </>
                  )}
                  {a.conditional && <span className="text-amber-700"> (under a condition)</span>}
                </li>
              ))}
            </ul>
          </li>
        );
      })}
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
export function TrustStatement({
  roleArn,
  statement,
  sid,
  trust,
}: {
  roleArn?: string;
  statement: number;
  sid?: string | null;
  trust?: PermissionStatement | null;
}) {
  const conditions = Object.entries(trust?.condition ?? {}).flatMap(([op, keys]) =>
    Object.entries(keys).map(([key, values]) => `${op} ${key} = ${values.join(", ")}`),
  );
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
      <dd>{statementLabel({ statement, sid: sid ?? undefined })} of its trust policy</dd>
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
          <dd>
            {conditions.length
              ? conditions.map((c) => (
                  <code key={c} className={`${code} mr-1`}>
                    {c}
                  </code>
                ))
              : "none: any AWS account may assume it"}
          </dd>
        </>
      )}
    </dl>
  );
}
