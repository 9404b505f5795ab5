import Link from "next/link";
import type { MyWork } from "@/lib/home/work";
import { Badge } from "@/components/ui/badge";
import { formatDate, formatMinutes, kindLabels, relative } from "@/components/ui/format";

function Section({ title, href, link, children, testId }: { title: string; href: string; link: string; children: React.ReactNode; testId: string }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid={testId} aria-labelledby={`${testId}-title`}>
      <div className="mb-2 flex flex-wrap items-baseline justify-between gap-2">
        <h2 id={`${testId}-title`} className="text-sm font-semibold text-slate-800">
          {title}
        </h2>
        <Link href={href} className="text-sm font-medium text-brand-700 hover:underline">
          {link}
        </Link>
      </div>
      {children}
    </section>
  );
}

const Nothing = ({ children }: { children: React.ReactNode }) => <p className="text-sm text-slate-500">{children}</p>;

const isOverdue = (d: Date | string | null) => !!d && new Date(d).getTime() < Date.now();

/**
 * The caller's work, one section per kind of work they hold: reviews due,
 * approvals waiting, attestations, their own access. The counts come from the
 * same queries as each queue, and the page is rendered per request, so after
 * any action elsewhere the home page agrees with the queue it links to.
 */
export function MyWorkSections({ work }: { work: MyWork }) {
  const { reviews, approvals, attestations, access } = work;
  return (
    <div className="grid gap-4 lg:grid-cols-2" data-testid="my-work">
      {reviews.show && (
        <Section
          testId="work-reviews"
          title={reviews.open ? `Reviews due (${reviews.open})` : "Reviews due"}
          href="/certifications/reviews"
          link="Open my reviews"
        >
          {reviews.campaigns.length === 0 ? (
            <Nothing>No review items wait for you.</Nothing>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm">
              {reviews.campaigns.map((c) => (
                <li key={c.id} className="flex flex-wrap items-center justify-between gap-2 py-1.5">
                  <Link href={`/certifications/reviews?campaignId=${c.id}`} className="font-medium text-slate-900 hover:underline">
                    {c.name}
                  </Link>
                  <span className="flex items-center gap-2 text-slate-600">
                    {c.open} {c.open === 1 ? "item" : "items"}
                    {isOverdue(c.dueAt) ? <Badge tone="red">overdue since {formatDate(c.dueAt)}</Badge> : <span>due {formatDate(c.dueAt)}</span>}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Section>
      )}
      {approvals.show && (
        <Section
          testId="work-approvals"
          title={approvals.total ? `Approvals waiting (${approvals.total})` : "Approvals waiting"}
          href="/access-requests/approvals"
          link="Open the approval queue"
        >
          {approvals.rows.length === 0 ? (
            <Nothing>No request waits for your decision.</Nothing>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm">
              {approvals.rows.map((r) => (
                <li key={r.id} className="py-1.5">
                  <div className="flex flex-wrap items-center justify-between gap-2">
                    <Link href={`/access-requests/${r.id}`} className="font-medium text-slate-900 hover:underline">
                      {r.identityName} · {r.entitlementName}
                    </Link>
                    <span className="text-slate-500">asked {relative(r.createdAt)}</span>
                  </div>
                  <p className="text-slate-600">
                    {formatMinutes(r.durationMinutes)}
                    {r.requesterId !== r.identityId ? `, asked by ${r.requesterName}` : ""}
                    {r.justification ? `: ${r.justification}` : ""}
                  </p>
                  {r.context && (
                    <p className="text-xs text-slate-500">
                      Last used {r.context.lastUsedAt ? relative(r.context.lastUsedAt) : "never"} · {r.context.pastRequests} requests in 90 days
                      {r.context.openFindings ? ` · ${r.context.openFindings} open findings` : ""}
                      {r.context.escalation ? " · can escalate to admin" : ""}
                    </p>
                  )}
                </li>
              ))}
            </ul>
          )}
        </Section>
      )}
      {attestations.show && (
        <Section testId="work-attestations" title="Non-human identities to attest" href="/attestations" link="Open my attestations">
          <p className="mb-2 flex flex-wrap gap-2 text-sm">
            <Badge tone={attestations.overdue ? "red" : "neutral"}>{attestations.overdue} overdue</Badge>
            <Badge tone={attestations.due - attestations.overdue ? "amber" : "neutral"}>{attestations.due - attestations.overdue} due within 30 days</Badge>
            {attestations.orphans > 0 && (
              <Link href="/attestations?due=all" className="hover:underline">
                <Badge tone="purple">{attestations.orphans} you back up have no owner</Badge>
              </Link>
            )}
          </p>
          {attestations.rows.length === 0 ? (
            <Nothing>Nothing is due: every NHI you answer for is attested.</Nothing>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm">
              {attestations.rows.map((a) => (
                <li key={a.id} className="flex flex-wrap items-center justify-between gap-2 py-1.5">
                  <Link href={`/identities/${a.id}`} className="min-w-0 break-all font-medium text-slate-900 hover:underline">
                    {a.name}
                  </Link>
                  <span className="text-slate-600">
                    {kindLabels[a.kind] ?? a.kind} ·{" "}
                    {a.overdue ? (
                      <span className="text-rose-700">overdue since {formatDate(a.nextAttestationAt)}</span>
                    ) : (
                      `due ${formatDate(a.nextAttestationAt)}`
                    )}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Section>
      )}
      {access.show && (
        <Section testId="work-access" title="Your elevated access" href="/access-requests" link={`Request access (${access.mayRequest} eligible)`}>
          {access.active.length === 0 && access.pending.length === 0 ? (
            <Nothing>
              No elevation is active or pending. You may request {access.mayRequest} {access.mayRequest === 1 ? "entitlement" : "entitlements"} just in time.
            </Nothing>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm">
              {access.active.map((r) => (
                <li key={r.id} className="flex flex-wrap items-center justify-between gap-2 py-1.5">
                  <Link href={`/access-requests/${r.id}`} className="font-medium text-slate-900 hover:underline">
                    {r.entitlementName}
                    {r.identityId !== r.requesterId ? ` for ${r.identityName}` : ""}
                  </Link>
                  <span className="text-slate-600">
                    {r.status === "active" ? <Badge tone="green">active</Badge> : <Badge tone="blue">starts {relative(r.startsAt)}</Badge>} ends{" "}
                    {relative(r.expiresAt)}
                  </span>
                </li>
              ))}
              {access.pending.map((r) => (
                <li key={r.id} className="flex flex-wrap items-center justify-between gap-2 py-1.5">
                  <Link href={`/access-requests/${r.id}`} className="font-medium text-slate-900 hover:underline">
                    {r.entitlementName}
                  </Link>
                  <span className="text-slate-600">
                    <Badge tone="amber">pending</Badge> asked {relative(r.createdAt)}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Section>
      )}
    </div>
  );
}
