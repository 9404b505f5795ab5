import Link from "next/link";
import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/caller";
import { listAudit } from "@/lib/audit/list";
import { rowCount, verifyAuditLog, type AuditVerification } from "@/lib/audit/verify";
import { ValidationError } from "@/lib/errors";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/card";
import { FieldErrorsAlert } from "@/components/ui/field-errors";
import { LinkPagination } from "@/components/ui/pagination";
import { Forbidden } from "@/components/ui/forbidden";
import { formatDateTime } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";
import { DateRangeFields } from "@/components/ui/date-range";
import { auditActionNames, auditActions, type AuditAction } from "@/lib/audit/actions";
import { Table, THead, Th, TBody } from "@/components/ui/table";
import { Button } from "@/components/ui/button";

export const metadata = { title: "Audit log" };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const caller = await requireCaller();
  if (!hasRole(caller, "admin", "auditor")) return <Forbidden what="the audit log" />;
  const params = await searchParams;
  const db = await getDb();
  const { verify, ...filters } = params;
  let result: Awaited<ReturnType<typeof listAudit>> | null = null;
  let errors: Record<string, string[]> | null = null;
  try {
    result = await listAudit(db, caller, filters);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    errors = e.fieldErrors;
  }
  const verification = verify ? await verifyAuditLog(db, caller) : null;
  const pageLink = (page: number) => `/audit?${new URLSearchParams({ ...(filters as Record<string, string>), page: String(page) })}`;
  const input = "mt-1 rounded-md border border-slate-300 px-2 py-1.5 text-sm font-normal";

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change, who made it and what it was before and after. Rows are signed and chained with a key kept outside the database, and signed checkpoints of the newest row are kept outside it too: editing, deleting or re-hashing rows shows."
        actions={
          <div className="flex flex-wrap items-center gap-3">
            <span className="text-sm text-slate-600">
              Export with the chain&apos;s verification:{" "}
              <a
                className="text-brand-700 underline"
                href={`/api/v1/audit/export?${new URLSearchParams({ ...(filters as Record<string, string>), format: "csv" })}`}
              >
                CSV
              </a>{" "}
              ·{" "}
              <a
                className="text-brand-700 underline"
                href={`/api/v1/audit/export?${new URLSearchParams({ ...(filters as Record<string, string>), format: "json" })}`}
              >
                JSON
              </a>
            </span>
            <form>
              {Object.entries(filters).map(([k, v]) => v && <input key={k} type="hidden" name={k} value={v} />)}
              <button name="verify" value="1" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100">
                Verify chain
              </button>
            </form>
          </div>
        }
      />
      {verification && <VerificationReport result={verification} />}
      <form className="mb-4 flex flex-wrap items-end gap-3">
        <label className="flex flex-col text-xs font-medium text-slate-600">
          Action starts with
          <input name="action" list="audit-actions" defaultValue={filters.action} className={input} placeholder="identity." />
          <datalist id="audit-actions">
            {auditActionNames.map((a) => (
              <option key={a} value={a}>
                {auditActions[a]}
              </option>
            ))}
          </datalist>
        </label>
        <label className="flex flex-col text-xs font-medium text-slate-600">
          Entity type
          <input name="entityType" defaultValue={filters.entityType} className={input} placeholder="identity" />
        </label>
        <label className="flex flex-col text-xs font-medium text-slate-600">
          Entity id
          <input name="entityId" defaultValue={filters.entityId} className={input} />
        </label>
        <label className="flex flex-col text-xs font-medium text-slate-600">
          Actor
          <input name="actor" defaultValue={filters.actor} className={input} placeholder="email or name" />
        </label>
        <DateRangeFields from={filters.from} to={filters.to} inputClass={input} />
        <Button type="submit" variant="primary">
          Filter
        </Button>
        <Link href="/audit" className="pb-1.5 text-sm text-brand-700 underline">
          Reset
        </Link>
      </form>
      <FieldErrorsAlert errors={errors} />
      {result &&
        (result.rows.length === 0 ? (
          <EmptyState title="No audit rows match these filters." />
        ) : (
          <>
            <p className="mb-2 text-sm text-slate-600">{result.total.toLocaleString("en")} rows</p>
            <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
              <Table data-testid="audit-table">
                <THead>
                  <Th>#</Th>
                  <Th>When</Th>
                  <Th>Actor</Th>
                  <Th>Action</Th>
                  <Th>Entity</Th>
                  <Th>Before → after</Th>
                </THead>
                <TBody top>
                  {result.rows.map((r) => (
                    <tr key={r.id}>
                      <td className="px-3 py-2 tabular-nums text-slate-500" title={`hash ${r.hash}`}>
                        {r.id}
                      </td>
                      <td className="whitespace-nowrap px-3 py-2">{formatDateTime(r.occurredAt)}</td>
                      <td className="px-3 py-2">{r.actorLabel}</td>
                      <td className="px-3 py-2">
                        <Badge tone="blue" title={auditActions[r.action as AuditAction]}>
                          {r.action}
                        </Badge>
                      </td>
                      <td className="px-3 py-2">
                        <EntityCell type={r.entityType} id={r.entityId} name={r.entityName} />
                      </td>
                      <td className="max-w-md px-3 py-2 font-mono text-xs text-slate-600">
                        <ChangeCell before={r.before} after={r.after} />
                      </td>
                    </tr>
                  ))}
                </TBody>
              </Table>
            </div>
            <LinkPagination page={result.page} pageCount={result.pageCount} href={pageLink} />
          </>
        ))}
    </>
  );
}

/** Where an audited entity is shown in the app, for the kinds that have a page. */
const ENTITY_PAGES: Record<string, (id: string) => string> = {
  identity: (id) => `/identities/${id}`,
  campaign: (id) => `/certifications/${id}`,
  jit_request: (id) => `/access-requests/${id}`,
  connector: (id) => `/admin/connectors/${id}`,
  eligibility_policy: (id) => `/access-requests/policies/${id}`,
};

function EntityCell({ type, id, name }: { type: string; id: string; name: string | null }) {
  const page = ENTITY_PAGES[type];
  const label = name ?? id.slice(0, 8);
  return (
    <>
      <span className="text-xs text-slate-500">{type.replace(/_/g, " ")}</span>
      <div className={name ? "break-all" : "font-mono text-xs"} title={id}>
        {page ? (
          <Link className="text-brand-700 hover:underline" href={page(id)}>
            {label}
          </Link>
        ) : (
          label
        )}
      </div>
    </>
  );
}

/** One line each for before and after; opened, the whole of both, laid out. */
function ChangeCell({ before, after }: { before: unknown; after: unknown }) {
  if (before == null && after == null) return null;
  return (
    <details className="group">
      <summary className="cursor-pointer list-none">
        {before != null && <div className="truncate group-open:hidden">− {JSON.stringify(before)}</div>}
        {after != null && <div className="truncate group-open:hidden">+ {JSON.stringify(after)}</div>}
        <span className="hidden text-brand-700 group-open:inline">Hide</span>
      </summary>
      {before != null && (
        <>
          <div className="mt-1 font-sans font-medium text-slate-700">Before</div>
          <pre className="whitespace-pre-wrap break-all rounded bg-slate-50 p-2">{JSON.stringify(before, null, 2)}</pre>
        </>
      )}
      {after != null && (
        <>
          <div className="mt-1 font-sans font-medium text-slate-700">After</div>
          <pre className="whitespace-pre-wrap break-all rounded bg-slate-50 p-2">{JSON.stringify(after, null, 2)}</pre>
        </>
      )}
    </details>
  );
}

function VerificationReport({ result: r }: { result: AuditVerification }) {
  const good = r.checkpoints.lastGood;
  return (
    <div
      role="status"
      data-testid="verify-result"
      className={`mb-4 rounded-md px-4 py-3 text-sm ${r.ok ? "bg-emerald-50 text-emerald-800" : "bg-rose-50 text-rose-800"}`}
    >
      <p className="font-medium">
        {r.ok
          ? `Chain intact: ${rowCount(r.checked)} verified with the audit key; ${r.checkpoints.read} ${r.checkpoints.read === 1 ? "checkpoint" : "checkpoints"} read.`
          : `Chain tampered or unverifiable: ${(r.problems.length + r.omittedProblems).toLocaleString("en")} ${r.problems.length + r.omittedProblems === 1 ? "problem" : "problems"} (${rowCount(r.checked)} verified).`}
      </p>
      {r.problems.length > 0 && (
        <ul className="mt-2 list-disc space-y-1 pl-5">
          {r.problems.map((p, i) => (
            <li key={i} data-kind={p.kind}>
              {p.message}
            </li>
          ))}
          {r.omittedProblems > 0 && <li>… and {r.omittedProblems.toLocaleString("en")} more of the same kinds.</li>}
        </ul>
      )}
      <ul className="mt-2 space-y-0.5 text-xs opacity-80">
        {good && (
          <li>
            Last good checkpoint: {formatDateTime(good.at)}, through row {good.headId} (position {good.headSeq}).
          </li>
        )}
        {r.retention && (
          <li>
            Positions 1–{r.retention.throughSeq} purged by retention (rows before {formatDateTime(r.retention.before)}) on {formatDateTime(r.retention.at)} by{" "}
            {r.retention.by}.
          </li>
        )}
        {r.legacyRows > 0 && <li>{rowCount(r.legacyRows)} predate the audit key (plain SHA-256 before the first keyed row).</li>}
        {r.warnings.map((w) => (
          <li key={w}>Warning: {w}</li>
        ))}
      </ul>
    </div>
  );
}
