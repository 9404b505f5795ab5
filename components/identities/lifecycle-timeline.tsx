import Link from "next/link";
import type { lifecycleEvents } from "@/db/schema";
import { Badge, type Tone } from "@/components/ui/badge";
import { formatDateTime } from "@/components/ui/format";
import type { LeaverOutcome } from "@/lib/lifecycle/leaver";
import type { MoverOutcome } from "@/lib/lifecycle/mover";

type Event = typeof lifecycleEvents.$inferSelect;
// What a leaver or mover recorded (a joiner records nothing).
type Outcome = Partial<LeaverOutcome & MoverOutcome>;

const tone: Record<string, Tone> = { joiner: "green", mover: "blue", leaver: "red", decommission: "amber" };

function plural(n: number, one: string, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/** What each joiner, mover or leaver signal caused, in words, with links to what moved. */
function Caused({ outcome }: { outcome: Outcome }) {
  const parts: React.ReactNode[] = [];
  if (outcome.sessionsEnded) parts.push(`${plural(outcome.sessionsEnded, "sign-in session")} ended`);
  if (outcome.grantsRevoked) parts.push(`${plural(outcome.grantsRevoked, "grant")} ended`);
  if (outcome.jitEnded) parts.push(`${plural(outcome.jitEnded, "JIT window")} revoked`);
  if (outcome.requestsCancelled) parts.push(`${plural(outcome.requestsCancelled, "request")} cancelled`);
  if (outcome.reviewsReassigned) parts.push(`${plural(outcome.reviewsReassigned, "review item")} moved to fallback reviewers`);
  if (outcome.credentialTasks) parts.push(`${plural(outcome.credentialTasks, "credential rotation task")} opened`);
  if (outcome.reviewCampaignId)
    parts.push(
      <Link key="review" className="text-brand-700 hover:underline" href={`/certifications/${outcome.reviewCampaignId}`}>
        targeted review of {plural(outcome.items ?? 0, "grant")}
      </Link>,
    );
  if (outcome.reason) parts.push(outcome.reason);
  const rehomed = outcome.nhisRehomed ?? [];
  return (
    <div className="text-xs text-slate-600">
      {parts.length > 0 && <p>{parts.map((p, i) => (i ? [", ", p] : p))}.</p>}
      {rehomed.length > 0 && (
        <p data-testid="rehomed-nhis">
          {plural(rehomed.filter((r) => r.as === "owner").length, "NHI")} re-homed:{" "}
          {rehomed.slice(0, 12).map((r, i) => (
            <span key={r.identityId}>
              {i ? ", " : ""}
              <Link className="text-brand-700 hover:underline" href={`/identities/${r.identityId}`}>
                {r.name}
              </Link>
              {r.as === "backup" && " (no longer backup)"}
            </span>
          ))}
          {rehomed.length > 12 && `, and ${rehomed.length - 12} more`}
        </p>
      )}
    </div>
  );
}

/** The identity's joiner, mover and leaver events, newest first. */
export function LifecycleTimeline({ events }: { events: Event[] }) {
  if (events.length === 0) return <p className="text-sm text-slate-600">No joiner, mover or leaver events.</p>;
  return (
    <ol className="space-y-3 text-sm" data-testid="lifecycle-timeline">
      {events.map((e) => (
        <li key={e.id} className="flex gap-3">
          <span className="w-40 shrink-0 text-slate-500">{formatDateTime(e.occurredAt)}</span>
          <div>
            <p>
              <Badge tone={tone[e.type]}>{e.type}</Badge> <span className="text-slate-600">from {e.source}</span>
              {!e.processedAt && <span className="ml-2 text-amber-700">not acted on</span>}
            </p>
            {e.outcome != null && <Caused outcome={e.outcome as Outcome} />}
          </div>
        </li>
      ))}
    </ol>
  );
}
