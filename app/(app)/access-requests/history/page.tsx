import Link from "next/link";
import { getDb } from "@/db/client";
import { jitRequestStatuses } from "@/db/schema";
import { requireCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/caller";
import { ValidationError } from "@/lib/errors";
import { listActiveElevations } from "@/lib/jit/active";
import { listRequests } from "@/lib/jit/list";
import { RequestTable } from "@/components/jit/request-table";
import { Badge } from "@/components/ui/badge";
import { Card, EmptyState } from "@/components/ui/card";
import { FieldErrorsAlert } from "@/components/ui/field-errors";
import { formatDateTime, relative } from "@/components/ui/format";
import { DateRangeFields } from "@/components/ui/date-range";
import { LinkPagination } from "@/components/ui/pagination";
import { Select } from "@/components/ui/select";

export const metadata = { title: "Request history" };

const FILTERS = ["q", "status", "breakGlass", "from", "to", "identityId", "entitlementId"] as const;

export default async function HistoryPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const caller = await requireCaller();
  const params = await searchParams;
  const db = await getDb();
  const filters = Object.fromEntries(FILTERS.filter((k) => params[k]).map((k) => [k, params[k]!]));
  const overseer = hasRole(caller, "admin", "auditor", "approver");
  let result: Awaited<ReturnType<typeof listRequests>> | null = null;
  let errors: Record<string, string[]> | null = null;
  try {
    result = await listRequests(db, caller, { ...filters, scope: "all", page: params.page ?? "1" });
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    errors = e.fieldErrors;
  }
  const active = await listActiveElevations(db, caller, { pageSize: "20" });
  const input = "mt-1 rounded-md border border-slate-300 px-2 py-1.5 text-sm font-normal";
  const pageLink = (page: number) => `/access-requests/history?${new URLSearchParams({ ...filters, page: String(page) })}`;
  return (
    <div className="space-y-6">
      <Card title={`Active now (${active.total})`}>
        {active.rows.length === 0 ? (
          <p className="text-sm text-slate-600">No just-in-time access is active {overseer ? "anywhere" : "for you"} right now.</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm" data-testid="active-elevations">
            {active.rows.map((a) => (
              <li key={a.grantId} className="flex flex-wrap items-center justify-between gap-2 py-1.5">
                <span>
                  <Link
                    className="font-medium text-brand-700 hover:underline"
                    href={a.requestId ? `/access-requests/${a.requestId}` : `/identities/${a.identityId}`}
                  >
                    {a.identityName}
                  </Link>{" "}
                  holds <strong>{a.entitlementName}</strong> in {a.systemName} {a.breakGlass && <Badge tone="red">break-glass</Badge>}
                </span>
                <span className="text-xs text-slate-600" title={formatDateTime(a.expiresAt)}>
                  expires {relative(a.expiresAt)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <section>
        <form className="mb-3 flex flex-wrap items-end gap-3" aria-label="Filter requests">
          <label className="flex flex-col text-xs font-medium text-slate-600">
            Search
            <input type="search" name="q" defaultValue={filters.q} placeholder="Identity, access, ticket, reason" className={`${input} w-64`} />
          </label>
          <label className="flex flex-col text-xs font-medium text-slate-600">
            Status
            <Select
              name="status"
              defaultValue={filters.status ?? ""}
              className="mt-1 font-normal"
              placeholder="Any"
              choices={[
                { value: "open", label: "Open (pending, approved, active)" },
                ...jitRequestStatuses.map((s) => ({ value: s, label: s.replace("_", " ") })),
              ]}
            />
          </label>
          <label className="flex flex-col text-xs font-medium text-slate-600">
            Break-glass
            <Select
              name="breakGlass"
              defaultValue={filters.breakGlass ?? ""}
              className="mt-1 font-normal"
              placeholder="Any"
              choices={[
                { value: "1", label: "Only break-glass" },
                { value: "0", label: "No break-glass" },
              ]}
            />
          </label>
          <DateRangeFields from={filters.from} to={filters.to} inputClass={input} />
          <button className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">Filter</button>
          {Object.keys(filters).length > 0 && (
            <Link href="/access-requests/history" className="py-2 text-sm text-slate-600 hover:underline">
              Clear
            </Link>
          )}
        </form>
        <FieldErrorsAlert errors={errors} />
        {result &&
          (result.rows.length === 0 ? (
            <EmptyState title="No requests match.">
              {Object.keys(filters).length ? "Change or clear the filters." : "Requests show here from the moment they are made, and stay after they end."}
            </EmptyState>
          ) : (
            <>
              <p className="mb-2 text-sm text-slate-600">{result.total.toLocaleString("en")} requests</p>
              <RequestTable rows={result.rows} />
              <LinkPagination page={result.page} pageCount={result.pageCount} href={pageLink} />
            </>
          ))}
      </section>
    </div>
  );
}
