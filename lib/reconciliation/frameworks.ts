import { sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { queryRows } from "@/db/rows";
import type { FindingKind } from "@/db/schema";
import { requireRole, type Caller } from "@/lib/caller";
import { kindsEvidencing, type FrameworkControlId } from "@/lib/findings/kinds";

/** Which identities a control speaks about: OWASP's NHI list is about non-human identities only. */
type Applies = "all" | "nhi";

type ControlText = {
  id: FrameworkControlId;
  framework: "OWASP NHI Top 10 (2025)" | "NIST CSF 2.0";
  code: string;
  title: string;
  summary: string;
  applies: Applies;
};
export type FrameworkControl = ControlText & { kinds: FindingKind[] };

/**
 * How the product's findings map to the risks auditors ask about: the OWASP
 * Non-Human Identities Top 10 (2025) and NIST CSF 2.0 subcategories. A
 * finding can evidence several controls.
 */
const controlTexts = [
  {
    id: "NHI1",
    framework: "OWASP NHI Top 10 (2025)",
    code: "NHI1:2025",
    title: "Improper Offboarding",
    summary: "NHIs left behind when their owner or purpose is gone, still holding access.",
    applies: "nhi",
  },
  {
    id: "NHI5",
    framework: "OWASP NHI Top 10 (2025)",
    code: "NHI5:2025",
    title: "Overprivileged NHI",
    summary: "NHIs holding more privilege than they use, or privilege nobody approved.",
    applies: "nhi",
  },
  {
    id: "NHI7",
    framework: "OWASP NHI Top 10 (2025)",
    code: "NHI7:2025",
    title: "Long-Lived Secrets",
    summary: "Keys, tokens and certificates past their rotation age, never rotated, or without expiry.",
    applies: "nhi",
  },
  {
    id: "NHI10",
    framework: "OWASP NHI Top 10 (2025)",
    code: "NHI10:2025",
    title: "Human Use of NHI",
    summary: "Interactive sessions and activity under an NHI outside any approved window.",
    applies: "nhi",
  },
  {
    id: "PR.AA-01",
    framework: "NIST CSF 2.0",
    code: "PR.AA-01",
    title: "Identities and credentials are managed",
    summary: "Identities and credentials for users, services and hardware are managed by the organization.",
    applies: "all",
  },
  {
    id: "PR.AA-05",
    framework: "NIST CSF 2.0",
    code: "PR.AA-05",
    title: "Least privilege and separation of duties",
    summary: "Access permissions, entitlements and authorizations are defined, managed, enforced and reviewed with least privilege.",
    applies: "all",
  },
  {
    id: "DE.CM-03",
    framework: "NIST CSF 2.0",
    code: "DE.CM-03",
    title: "Personnel activity is monitored",
    summary: "Personnel activity and technology usage are monitored to find potentially adverse events.",
    applies: "all",
  },
] satisfies ControlText[];

/** The controls, with the finding kinds that evidence each (from each kind's entry in lib/findings/kinds.ts). */
export const frameworkControls: FrameworkControl[] = controlTexts.map((c) => ({ ...c, kinds: kindsEvidencing(c.id) }));

/** Open findings per control, by severity, for the framework view. */
export async function frameworkView(db: Tx, caller: Caller) {
  requireRole(caller, "admin", "auditor");
  // The tallies the findings' triggers keep (by kind of subject: OWASP's NHI controls leave people out).
  const rows = await queryRows<{ kind: FindingKind; severity: string; n: number; human: number }>(
    db,
    sql`select kind, severity::text as severity, sum(n)::int as n, coalesce(sum(n) filter (where identity_kind = 'human'), 0)::int as human
        from finding_tallies where status = 'open' group by 1, 2 having sum(n) > 0`,
  );
  const counts = rows.flatMap((r) => [
    { kind: r.kind, severity: r.severity, nhi: true, n: r.n - r.human },
    { kind: r.kind, severity: r.severity, nhi: false, n: r.human },
  ]);
  return frameworkControls.map((c) => {
    const mine = counts.filter((r) => c.kinds.includes(r.kind) && (c.applies === "all" || r.nhi));
    const bySeverity = Object.fromEntries(
      ["critical", "high", "medium", "low"].map((s) => [s, mine.filter((r) => r.severity === s).reduce((n, r) => n + r.n, 0)]),
    );
    return { ...c, open: mine.reduce((n, r) => n + r.n, 0), bySeverity };
  });
}
