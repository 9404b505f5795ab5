import Link from "next/link";
import { getDb } from "@/db/client";
import { nonHumanKinds } from "@/db/schema";
import { requireCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/caller";
import { dueFilters, listMyAttestations, type MyAttestationsResult } from "@/lib/attestation/list";
import { listOrphans, type OrphanListResult } from "@/lib/attestation/orphans";
import { DUE_SOON_DAYS } from "@/lib/attestation/policy";
import { listCredentialTasks } from "@/lib/credentials/rotation";
import { ValidationError } from "@/lib/errors";
import { listActivePeople } from "@/lib/identities/list";
import { MyNhiTable } from "@/components/attestations/my-nhi-table";
import { NoticeArea } from "@/components/attestations/notice";
import { CredentialWork } from "@/components/credentials/credential-work";
import { OrphanTable } from "@/components/attestations/orphan-table";
import { EmptyState } from "@/components/ui/card";
import { FieldErrorsAlert } from "@/components/ui/field-errors";
import { kindLabels } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";
import { LinkPagination } from "@/components/ui/pagination";
import { Select } from "@/components/ui/select";
import { Button } from "@/components/ui/button";

export const metadata = { title: "Attestations" };

type Params = Record<string, string | undefined>;

const MY_KEYS = ["due", "kind", "q", "scope", "page", "pageSize"] as const;
const ORPHAN_KEYS = ["orphanQ", "orphanKind", "orphanPage"] as const;
const dueLabels = { due: "Due", overdue: "Overdue", all: "All" } as const;
// The orphan list sits under the caller's own work: a short page keeps both in view.
const ORPHAN_PAGE_SIZE = 20;

/** A link to this page with some parameters changed, keeping the others (both lists' filters). */
function hrefWith(params: Params, changes: Params) {
  const next = { ...params, ...changes };
  const usp = new URLSearchParams();
  for (const key of [...MY_KEYS, ...ORPHAN_KEYS]) if (next[key]) usp.set(key, next[key]);
  const qs = usp.toString();
  return qs ? `/attestations?${qs}` : "/attestations";
}

async function attempt<T>(load: () => Promise<T>): Promise<{ data: T | null; errors: Record<string, string[]> | null }> {
  try {
    return { data: await load(), errors: null };
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return { data: null, errors: e.fieldErrors };
  }
}

const field = "mt-1 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm font-normal";
const fieldPlacement = "mt-1 font-normal";
const kindChoices = nonHumanKinds.map((k) => ({ value: k, label: kindLabels[k] }));

export default async function AttestationsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const caller = await requireCaller();
  const params: Params = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const db = await getDb();
  const seesAll = hasRole(caller, "admin", "auditor");
  const [mine, orphans, credentialWork] = await Promise.all([
    attempt(() => listMyAttestations(db, caller, Object.fromEntries(MY_KEYS.map((k) => [k, params[k]])))),
    seesAll
      ? attempt(() => listOrphans(db, caller, { q: params.orphanQ, kind: params.orphanKind, page: params.orphanPage, pageSize: ORPHAN_PAGE_SIZE }))
      : Promise.resolve(null),
    listCredentialTasks(db, caller, { mine: true }),
  ]);
  const needsPeople = (mine.data?.rows.some((r) => r.canAttest) ?? false) || (orphans?.data?.rows.some((r) => r.canReassign) ?? false);
  const people = needsPeople ? await listActivePeople(db) : [];

  return (
    <>
      <PageHeader
        title="Attestations"
        description={
          <>
            Confirm that each non-human identity you answer for is still needed, for what, and by whom; attestations fall due on each kind&apos;s{" "}
            {hasRole(caller, "admin", "auditor", "owner") ? (
              <Link href="/admin/attestation" className="text-brand-700 hover:underline">
                attestation policy
              </Link>
            ) : (
              "attestation policy"
            )}
            . Answering &ldquo;not needed&rdquo; decommissions it: its access ends and its credentials are queued for revocation.
          </>
        }
      />

      <section aria-labelledby="my-nhis-heading">
        <h2 id="my-nhis-heading" className="mb-3 text-lg font-semibold">
          My non-human identities
        </h2>
        <MyFilters params={params} result={mine.data} seesAll={seesAll} />
        <FieldErrorsAlert errors={mine.errors} />
        <NoticeArea testId="attestation-notice">{mine.data && <MyList params={params} result={mine.data} people={people} />}</NoticeArea>
      </section>

      {credentialWork.length > 0 && (
        <section aria-labelledby="credential-work-heading" className="mt-10">
          <h2 id="credential-work-heading" className="text-lg font-semibold">
            Credentials to rotate or revoke ({credentialWork.length})
          </h2>
          <p className="mb-3 text-sm text-slate-600">
            Secrets of identities you answer for that must be rotated (their owner left) or revoked (the identity was decommissioned). Do it where the secret
            lives, then mark it done here; overdue work escalates to your manager, then to the admins.
          </p>
          <CredentialWork tasks={credentialWork} />
        </section>
      )}

      {orphans && (
        <section aria-labelledby="orphans-heading" className="mt-10">
          <h2 id="orphans-heading" className="text-lg font-semibold">
            Orphaned NHIs
          </h2>
          <p className="mb-3 text-sm text-slate-600">
            Active non-human identities whose owner is missing, disabled or has left, and those handed to a new owner when theirs left, until that owner attests
            them. Nobody attests an orphan until someone owns it
            {hasRole(caller, "admin") ? "; reassigning one makes its attestation due now." : ". Admins can reassign them."}
          </p>
          <form className="mb-3 flex flex-wrap items-end gap-3">
            {MY_KEYS.map((k) => params[k] && <input key={k} type="hidden" name={k} value={params[k]} />)}
            <label className="flex flex-col text-xs font-medium text-slate-600">
              Search orphans
              <input name="orphanQ" defaultValue={params.orphanQ} placeholder="Name, purpose or former owner" className={`${field} w-64`} />
            </label>
            <label className="flex flex-col text-xs font-medium text-slate-600">
              Kind
              <Select name="orphanKind" defaultValue={params.orphanKind ?? ""} className={fieldPlacement} placeholder="All kinds" choices={kindChoices} />
            </label>
            <Button type="submit" variant="primary">
              Filter
            </Button>
          </form>
          <FieldErrorsAlert errors={orphans.errors} />
          <NoticeArea testId="orphan-notice">{orphans.data && <Orphans params={params} result={orphans.data} people={people} />}</NoticeArea>
        </section>
      )}
    </>
  );
}

function MyFilters({ params, result, seesAll }: { params: Params; result: MyAttestationsResult | null; seesAll: boolean }) {
  const current = result?.due ?? params.due ?? "due";
  return (
    <div className="mb-3 flex flex-wrap items-end justify-between gap-3">
      <nav aria-label="Attestation filter" className="flex gap-1 rounded-lg bg-slate-100 p-1 text-sm">
        {dueFilters.map((d) => (
          <Link
            key={d}
            href={hrefWith(params, { due: d === "due" ? undefined : d, page: undefined })}
            aria-current={current === d ? "page" : undefined}
            className={`rounded-md px-3 py-1 ${current === d ? "bg-white font-medium shadow-sm" : "text-slate-600 hover:text-slate-900"}`}
          >
            {dueLabels[d]}
            {result && <span className="ml-1 tabular-nums text-slate-500">({result.counts[d].toLocaleString("en")})</span>}
          </Link>
        ))}
      </nav>
      <form className="flex flex-wrap items-end gap-3">
        {params.due && <input type="hidden" name="due" value={params.due} />}
        {ORPHAN_KEYS.map((k) => params[k] && <input key={k} type="hidden" name={k} value={params[k]} />)}
        <label className="flex flex-col text-xs font-medium text-slate-600">
          Search
          <input name="q" defaultValue={params.q} placeholder="Name, ARN or purpose" className={`${field} w-56`} />
        </label>
        <label className="flex flex-col text-xs font-medium text-slate-600">
          Kind
          <Select name="kind" defaultValue={params.kind ?? ""} className={fieldPlacement} placeholder="All kinds" choices={kindChoices} />
        </label>
        {seesAll && (
          <label className="flex flex-col text-xs font-medium text-slate-600">
            Show
            <Select
              name="scope"
              defaultValue={params.scope ?? "mine"}
              className={fieldPlacement}
              choices={[
                { value: "mine", label: "NHIs I answer for" },
                { value: "all", label: "Every NHI" },
              ]}
            />
          </label>
        )}
        <Button type="submit" variant="primary">
          Filter
        </Button>
      </form>
    </div>
  );
}

function MyList({ params, result, people }: { params: Params; result: MyAttestationsResult; people: { id: string; displayName: string }[] }) {
  if (result.rows.length === 0) {
    const filtered = !!(params.q || params.kind);
    if (filtered) {
      return (
        <EmptyState title="No identities match these filters.">
          <Link className="text-brand-700 underline" href={hrefWith(params, { q: undefined, kind: undefined, page: undefined })}>
            Clear the search and kind
          </Link>{" "}
          to see all of them.
        </EmptyState>
      );
    }
    if (result.counts.all === 0) {
      return (
        <EmptyState title={result.scope === "all" ? "There are no non-human identities to attest." : "You do not own or back up any non-human identities."}>
          When you become the owner or backup owner of a service account, key, bot or agent, it appears here with its attestation date.
        </EmptyState>
      );
    }
    return (
      <EmptyState title={result.due === "overdue" ? "Nothing is overdue." : "Nothing is due."}>
        {result.due === "overdue" ? "Every identity you answer for was attested on time. " : `Nothing needs attesting in the next ${DUE_SOON_DAYS} days. `}
        You can still{" "}
        <Link className="text-brand-700 underline" href={hrefWith(params, { due: "all", page: undefined })}>
          review all {result.counts.all.toLocaleString("en")}
        </Link>{" "}
        early.
      </EmptyState>
    );
  }
  return (
    <>
      <p className="mb-2 text-sm text-slate-600" data-testid="my-nhis-count">
        {result.total.toLocaleString("en")} {result.total === 1 ? "identity" : "identities"}
        {result.due === "due" && `: overdue, or due in the next ${DUE_SOON_DAYS} days`}
      </p>
      <MyNhiTable rows={result.rows} people={people} />
      <LinkPagination page={result.page} pageCount={result.pageCount} href={(n) => hrefWith(params, { page: String(n) })} />
    </>
  );
}

function Orphans({ params, result, people }: { params: Params; result: OrphanListResult; people: { id: string; displayName: string }[] }) {
  if (result.rows.length === 0) {
    return params.orphanQ || params.orphanKind ? (
      <EmptyState title="No orphaned identities match these filters.">
        <Link className="text-brand-700 underline" href={hrefWith(params, { orphanQ: undefined, orphanKind: undefined, orphanPage: undefined })}>
          Clear the filters
        </Link>
        .
      </EmptyState>
    ) : (
      <EmptyState title="No orphaned identities.">Every active non-human identity has an active owner. Nothing to do here.</EmptyState>
    );
  }
  return (
    <>
      <p className="mb-2 text-sm text-slate-600" data-testid="orphans-count">
        {result.total.toLocaleString("en")} orphaned {result.total === 1 ? "identity" : "identities"}, those holding privileged access first
      </p>
      <OrphanTable rows={result.rows} people={people} />
      <LinkPagination page={result.page} pageCount={result.pageCount} href={(n) => hrefWith(params, { orphanPage: String(n) })} />
    </>
  );
}
