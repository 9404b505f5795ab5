import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/caller";
import { getConnector } from "@/lib/connectors/admin";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { ConnectorActions, RedeliverButton } from "@/components/connectors/connector-actions";
import { SshAuthorities } from "@/components/connectors/ssh-authorities";
import { Badge, type Tone } from "@/components/ui/badge";
import { Forbidden } from "@/components/ui/forbidden";
import { formatDateTime } from "@/components/ui/format";
import { LinkPagination } from "@/components/ui/pagination";
import { PageHeader } from "@/components/ui/page-header";
import { connectorDescriptors } from "@/lib/connectors/kinds";
import { Table, THead, Th, TBody } from "@/components/ui/table";

export const metadata = { title: "Connector" };

const tone: Record<string, Tone> = { delivered: "green", pending: "blue", failed: "amber", dead: "red" };

export default async function ConnectorPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ status?: string; page?: string }>;
}) {
  const caller = await requireCaller();
  if (!hasRole(caller, "admin", "auditor")) return <Forbidden what="connectors" />;
  const { id } = await params;
  const query = await searchParams;
  const db = await getDb();
  let d: Awaited<ReturnType<typeof getConnector>>;
  // A hand-edited URL (?page=0, ?status=bogus) says what is wrong and shows the whole log instead of failing.
  let invalidQuery: string[] | null = null;
  try {
    d = await getConnector(db, caller, id, query);
  } catch (e) {
    if (e instanceof NotFoundError) notFound();
    if (!(e instanceof ValidationError)) throw e;
    invalidQuery = Object.values(e.fieldErrors).flat();
    d = await getConnector(db, caller, id, {});
  }
  const c = d.connector;
  const filter = (status?: string) => `/admin/connectors/${id}${status ? `?status=${status}` : ""}`;
  return (
    <>
      <Link href="/admin/connectors" className="text-sm text-brand-700 hover:underline">
        ← Connectors
      </Link>
      <PageHeader
        title={c.name}
        description={`${connectorDescriptors[c.kind].label}${c.systemName ? ` for ${c.systemName}` : ""}: ${c.delivered} delivered, ${c.pending + c.failed} waiting, ${c.dead} dead-lettered. ${c.lastCheckedAt ? `Target last read ${formatDateTime(c.lastCheckedAt)}.` : ""}`}
        actions={hasRole(caller, "admin") && <ConnectorActions id={c.id} kind={c.kind} enabled={!!c.enabled} />}
      />
      {invalidQuery && (
        <p role="alert" className="mb-4 rounded-md bg-amber-50 px-4 py-2 text-sm text-amber-900">
          {invalidQuery.join(" ")} Showing every delivery instead.
        </p>
      )}
      {c.lastError && (
        <p role="alert" className="mb-4 rounded-md bg-rose-50 px-4 py-2 text-sm text-rose-800">
          Last error: {c.lastError}
        </p>
      )}
      {c.kind === "ssh" && (
        <SshAuthorities
          id={c.id}
          cas={(c.config as { cas: { publicKey: string; fingerprint: string; createdAt: string; retiredAt?: string }[] }).cas}
          krlPath={(c.config as { krlPath?: string }).krlPath}
          canEdit={hasRole(caller, "admin")}
        />
      )}
      <nav className="mb-3 flex gap-2 text-sm" aria-label="Delivery status">
        {[undefined, "pending", "failed", "dead", "delivered"].map((s) => (
          <Link
            key={s ?? "all"}
            href={filter(s)}
            aria-current={query.status === s ? "page" : undefined}
            className={`rounded-md px-2 py-1 ${query.status === s ? "bg-brand-600 text-white" : "border border-slate-300 bg-white"}`}
          >
            {s ?? "all"}
          </Link>
        ))}
      </nav>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
        <Table data-testid="delivery-log">
          <THead>
            <Th>Event</Th>
            <Th>Status</Th>
            <Th align="right">Attempts</Th>
            <Th>Last attempt</Th>
            <Th>Result</Th>
            <Th />
          </THead>
          <TBody>
            {d.deliveries.rows.map((r) => (
              <tr key={r.delivery.id}>
                <td className="px-3 py-2">
                  <span className="font-mono text-xs">{r.eventType}</span>
                  <div className="text-xs text-slate-500">emitted {formatDateTime(r.emittedAt)}</div>
                </td>
                <td className="px-3 py-2">
                  <Badge tone={tone[r.delivery.status]}>{r.delivery.status}</Badge>
                </td>
                <td className="px-3 py-2 text-right tabular-nums">
                  {r.delivery.attempts}
                  {r.delivery.round > 1 && <span className="text-xs text-slate-500"> (round {r.delivery.round})</span>}
                </td>
                <td className="px-3 py-2 text-xs">{formatDateTime(r.delivery.lastAttemptAt)}</td>
                <td className="px-3 py-2 text-xs">
                  {r.delivery.lastError ? (
                    <span className="text-rose-700">{r.delivery.lastError}</span>
                  ) : r.delivery.result ? (
                    JSON.stringify(r.delivery.result)
                  ) : (
                    "—"
                  )}
                </td>
                <td className="px-3 py-2 text-right">
                  {hasRole(caller, "admin") && r.delivery.status !== "pending" && <RedeliverButton id={r.delivery.id} />}
                </td>
              </tr>
            ))}
          </TBody>
        </Table>
      </div>
      <LinkPagination
        page={d.deliveries.page}
        pageCount={d.deliveries.pageCount}
        href={(p) => `/admin/connectors/${id}?${new URLSearchParams({ ...(query.status ? { status: query.status } : {}), page: String(p) })}`}
      />
    </>
  );
}
