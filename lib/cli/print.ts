import type { EscalationSummary } from "@/lib/escalation/run";
import type { pathsToAdmin } from "@/lib/escalation/read";
import { statementLabel, type StepView } from "@/lib/escalation/steps";
import { rowCount, type AuditVerification } from "@/lib/audit/verify";
import type { IamImportSummary } from "@/lib/ingest/import-aws-iam";
import type { K8sRbacImportSummary } from "@/lib/ingest/k8s/rbac-import";
import type { GitHubImportSummary } from "@/lib/ingest/github/org-import";
import type { LdapGroupsImportSummary } from "@/lib/ingest/ldap/groups-import";
import type { PgRolesImportSummary } from "@/lib/ingest/postgres/roles-import";
import type { UsageImportSummary } from "@/lib/usage/import";
import { actionGroupOf } from "@/lib/permissions/naming";
import type { ActionRow, Reconciliation } from "@/lib/reconciliation/actions";

const pad = (s: string | number, n: number) => String(s).padEnd(n);

export function printIamSummary(s: IamImportSummary) {
  console.log(`AWS account ${s.accountId}${s.systemCreated ? " (new system)" : ""}:`);
  console.log(
    `  identities   ${s.identities.created} created, ${s.identities.updated} updated, ${s.identities.unchanged} unchanged, ${s.identities.removed} no longer in IAM`,
  );
  console.log(
    `  kinds        ${
      Object.entries(s.kinds)
        .map(([k, n]) => `${n} ${k}`)
        .join(", ") || "none"
    }`,
  );
  console.log(`  entitlements ${s.entitlements.created} created, ${s.entitlements.updated} updated, ${s.entitlements.removed} no longer in IAM`);
  console.log(`  grants       ${s.grants.added} added, ${s.grants.kept} kept, ${s.grants.removed} removed`);
  if (s.credentials) console.log(`  access keys  ${s.credentials}`);
  for (const w of s.warnings) console.log(`  warning: ${w}`);
  if (!s.credentialReport) console.log("  no credential report given: access keys are unknown (pass --credential-report)");
}

const counts = (c: Record<string, number>) =>
  Object.entries(c)
    .map(([k, n]) => `${n} ${k}`)
    .join(", ");

export function printGitHubSummary(s: GitHubImportSummary) {
  console.log(`GitHub organisation ${s.org}${s.systemCreated ? " (new system)" : ""}:`);
  console.log(`  accounts         ${counts(s.accounts)}`);
  console.log(`  entitlements     ${counts(s.entitlements)}`);
  console.log(`  grants           ${counts(s.grants)}`);
  for (const w of s.warnings) console.log(`  warning: ${w}`);
}

export function printPgRolesSummary(s: PgRolesImportSummary) {
  console.log(`PostgreSQL server ${s.system}${s.systemCreated ? " (new system)" : ""}:`);
  console.log(`  login roles      ${counts(s.loginRoles)}`);
  console.log(`  entitlements     ${counts(s.entitlements)}`);
  console.log(`  grants           ${counts(s.grants)}`);
}

export function printLdapGroupsSummary(s: LdapGroupsImportSummary) {
  console.log(`Directory ${s.system}${s.systemCreated ? " (new system)" : ""}:`);
  console.log(`  people           ${counts(s.people)}`);
  console.log(`  groups           ${counts(s.groups)}`);
  console.log(`  grants           ${counts(s.grants)}`);
  if (s.unresolvedMembers)
    console.log(`  unresolved       ${s.unresolvedMembers} members that are not people under the base (nested groups, entries elsewhere)`);
}

export function printK8sRbacSummary(s: K8sRbacImportSummary) {
  console.log(`Kubernetes cluster ${s.cluster}${s.systemCreated ? " (new system)" : ""}:`);
  console.log(`  service accounts ${counts(s.serviceAccounts)}`);
  console.log(`  entitlements     ${counts(s.entitlements)}`);
  console.log(`  grants           ${counts(s.grants)}`);
  if (Object.keys(s.skipped).length) console.log(`  skipped          ${counts(s.skipped)} (kinds the import does not read)`);
  for (const w of s.warnings) console.log(`  warning: ${w}`);
}

/** A usage import's summary; `unknownHint` tells how to bring the principals the inventory lacks into it. */
export function printUsageImportSummary(s: UsageImportSummary, unknownHint: string) {
  const rate = s.elapsedMs ? Math.round(s.records / (s.elapsedMs / 1000)) : 0;
  console.log(`${s.files} files, ${s.records.toLocaleString("en")} records in ${(s.elapsedMs / 1000).toFixed(1)} s (${rate.toLocaleString("en")} records/s)`);
  // Each figure counts events this import stored, or events an earlier import had stored: never records merely read.
  console.log(
    `  usage events  ${s.usage.inserted.toLocaleString("en")} stored, of which ${s.usage.denied.toLocaleString("en")} denied attempts; ${s.usage.duplicates.toLocaleString("en")} already imported`,
  );
  for (const [why, n] of Object.entries(s.skipped)) console.log(`  skipped       ${n.toLocaleString("en")} records: ${why}`);
  for (const d of s.skippedDetails.slice(0, 20)) console.log(`    ${pad(`${d.records.toLocaleString("en")} ×`, 12)} ${d.detail} (${d.reason})`);
  if (s.skippedDetails.length > 20) console.log(`    … and ${s.skippedDetails.length - 20} more`);
  if (s.coveredServices.length) console.log(`  fully logged  ${s.coveredServices.join(", ")} (their absence is absence of use)`);
  for (const f of s.unreadableFiles) console.log(`  unreadable    ${f.file}: ${f.error}`);
  if (s.unknownPrincipals.length) {
    console.log(`Principals in the logs but not in the inventory (${unknownHint}):`);
    for (const u of s.unknownPrincipals.slice(0, 25)) console.log(`  ${pad(`${u.records.toLocaleString("en")} records`, 16)} ${u.principal}`);
    if (s.unknownPrincipals.length > 25) console.log(`  … and ${s.unknownPrincipals.length - 25} more`);
  }
}

/** Actions grouped by what they act on (lib/permissions/naming.ts). */
function byService(rows: ActionRow[]) {
  const counts = new Map<string, number>();
  for (const r of rows) {
    const service = actionGroupOf(r.action);
    counts.set(service, (counts.get(service) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** The reconciliation as a person reads it: what was used without approval first, unused access summarised. */
export function printReconciliation(r: Reconciliation, opts: { all: boolean }) {
  const s = r.summary;
  console.log(`${r.identity.name} (${r.identity.kind}${r.identity.arn ? `, ${r.identity.arn}` : ""})`);
  console.log(`window ${r.since} – ${r.until}`);
  console.log(
    `actions: approved ${s.approved}  used ${s.used}  unused ${s.unused}  unapproved ${s.unapproved}  denied ${s.denied}  unobservable ${s.unobservable}  (${s.unusedShare}% of observable approved actions unused)`,
  );
  console.log(
    `privilege level: ${r.identity.privilegeLevel ?? "none"}${r.identity.reachableRoles.count ? `; can act as ${r.identity.reachableRoles.count} role${r.identity.reachableRoles.count === 1 ? "" : "s"}` : ""}`,
  );
  for (const e of r.identity.escalation) printSteps(e.steps);
  const detailed = r.actions.filter((a) => a.status === "unapproved" || a.status === "denied" || a.status === "used" || opts.all);
  if (detailed.length) {
    console.log("");
    console.log(`${pad("STATUS", 13)}${pad("ACTION", 48)}${pad("COUNT", 8)}${pad("DENIED", 8)}${pad("LAST USED", 22)}APPROVED BY`);
    for (const a of detailed)
      console.log(
        `${pad(a.status, 13)}${pad(a.action, 48)}${pad(a.count, 8)}${pad(a.deniedCount, 8)}${pad(a.lastUsed ?? "—", 22)}${a.approvedBy ?? (a.reason ? `(${a.reason})` : "—")}`,
      );
  }
  if (!opts.all) {
    for (const status of ["unused", "unobservable"] as const) {
      const rows = r.actions.filter((a) => a.status === status);
      if (rows.length === 0) continue;
      const services = byService(rows);
      console.log("");
      console.log(
        `${status}: ${rows.length} actions in ${services.length} groups${status === "unobservable" ? " (the log source cannot show their use)" : ""}; --all lists them`,
      );
      console.log(
        `  ${services
          .slice(0, 12)
          .map(([svc, n]) => `${svc} ${n}`)
          .join(", ")}${services.length > 12 ? ", …" : ""}`,
      );
    }
  }
}

/** What `gov audit verify` says: intact or not, each problem naming what was lost, where to start looking. */
export function printAuditVerification(r: AuditVerification) {
  const verified = `${rowCount(r.checked)} verified${r.head ? ` through row ${r.head.id} (chain position ${r.head.seq})` : ""}`;
  if (r.ok)
    console.log(`Audit log intact: ${verified}; ${r.checkpoints.read} ${r.checkpoints.read === 1 ? "checkpoint" : "checkpoints"} in ${r.checkpoints.dir}.`);
  else {
    const n = r.problems.length + r.omittedProblems;
    console.log(`Audit log TAMPERED or unverifiable: ${n.toLocaleString("en")} ${n === 1 ? "problem" : "problems"} (${verified}).`);
    for (const p of r.problems) console.log(`  - ${p.message}`);
    if (r.omittedProblems) console.log(`  … and ${r.omittedProblems.toLocaleString("en")} more of the same kinds.`);
  }
  const good = r.checkpoints.lastGood;
  if (good) console.log(`Last good checkpoint: ${good.file} (${good.at}), through row ${good.headId} (chain position ${good.headSeq}).`);
  if (r.retention) {
    console.log(
      `Positions 1–${r.retention.throughSeq} were purged by retention (rows before ${r.retention.before}) on ${r.retention.at} by ${r.retention.by}, audit row ${r.retention.rowId}.`,
    );
  }
  if (r.legacyRows) console.log(`${rowCount(r.legacyRows)} predate the audit key (plain SHA-256 before the first keyed row).`);
  for (const w of r.warnings) console.log(`warning: ${w}`);
}

/** A path to administrator, one numbered step a line, each with the actions and statements that allow it. */
function printSteps(steps: StepView[], indent = "  ") {
  steps.forEach((st, i) => {
    console.log(
      `${indent}${i + 1}. ${st.description}${st.conditional ? ` [conditional${st.dependsOn.length ? `: ${st.dependsOn.join(", ")}` : ""}${st.needs ? `; needs ${st.needs}` : ""}]` : ""}`,
    );
    for (const a of st.actions)
      console.log(
        `${indent}   ${a.action} on ${a.resource}${a.allowedBy.length ? ` — ${a.allowedBy.map((c) => `${c.policy} ${statementLabel(c)}`).join("; ")}` : ""}`,
      );
  });
}

/** What `gov analyze paths` says: how many can become administrator, then each with its path. */
export function printPaths(run: EscalationSummary, paths: Awaited<ReturnType<typeof pathsToAdmin>>) {
  const escalating = paths.filter((p) => !p.holdsAdmin);
  console.log(
    `${run.principals.toLocaleString("en")} cloud identities analysed (${run.recomputed.toLocaleString("en")} recomputed) in ${(run.elapsedMs / 1000).toFixed(1)} s: ${paths.length.toLocaleString("en")} can reach administrator access, ${(paths.length - escalating.length).toLocaleString("en")} of them hold it outright.`,
  );
  for (const p of escalating) {
    console.log("");
    console.log(`${p.name} (${p.kind}${p.arn ? `, ${p.arn}` : ""})${p.conditional ? " — conditional" : ""}`);
    printSteps(p.steps);
  }
}
