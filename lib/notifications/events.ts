import type { NoticeChannel } from "@/db/schema";

/**
 * The events a person chooses channels for, each naming the notice kinds it
 * covers. One definition: notify() accepts only these kinds (a new kind that
 * is not filed under an event does not compile), the preference screens list
 * these events, and the senders look a kind's event up here.
 */
export const NOTICE_EVENTS = {
  approval_needed: {
    label: "Approval needed",
    description: "A request for elevated access waits for you.",
    kinds: ["jit.pending"],
    defaults: ["email", "chat"],
  },
  request_decided: {
    label: "Your requests decided",
    description: "Approved, denied, timed out or revoked, and each approval when several are needed.",
    kinds: ["jit.approved", "jit.approval", "jit.denied", "jit.timed_out", "jit.revoked"],
    defaults: ["email"],
  },
  elevation_expiring: {
    label: "Elevation expiring",
    description: "Your active access ends soon, or has ended.",
    kinds: ["jit.expiring", "jit.expired"],
    defaults: ["email"],
  },
  break_glass: {
    label: "Break-glass used",
    description: "Someone used emergency access (sent to every approver), or a use was escalated.",
    kinds: ["jit.break_glass", "jit.break_glass_escalated"],
    defaults: ["email", "chat"],
  },
  review_assigned: {
    label: "Review items assigned",
    description: "A campaign gave you items to review, or a campaign you own launched or closed.",
    kinds: ["review.assigned", "campaign.launched", "campaign.closed"],
    defaults: ["email"],
  },
  review_reminder: {
    label: "Review reminders",
    description: "Items still wait for your decision as the due date nears.",
    kinds: ["review.reminder"],
    defaults: ["email"],
  },
  attestation_due: {
    label: "Attestations due and overdue",
    description: "NHIs you own or back up need attesting, or overdue ones were escalated to you.",
    kinds: ["attestation.due", "attestation.escalated"],
    defaults: ["email"],
  },
  orphan_rehomed: {
    label: "Orphans re-homed to you",
    description: "NHIs whose owner left are now yours.",
    kinds: ["attestation.rehomed"],
    defaults: ["email"],
  },
  credential_task: {
    label: "Credential tasks",
    description: "Credentials to rotate or revoke, and overdue ones escalated to you.",
    kinds: ["credential.rotate_requested", "credential.revoke_requested", "credential.task_escalated"],
    defaults: ["digest"],
  },
} as const satisfies Record<string, { label: string; description: string; kinds: readonly string[]; defaults: readonly NoticeChannel[] }>;

export type NoticeEvent = keyof typeof NOTICE_EVENTS;
export type NoticeKind = (typeof NOTICE_EVENTS)[NoticeEvent]["kinds"][number];

export const noticeEvents = Object.keys(NOTICE_EVENTS) as NoticeEvent[];

const EVENT_OF_KIND = new Map<string, NoticeEvent>(noticeEvents.flatMap((e) => NOTICE_EVENTS[e].kinds.map((k) => [k, e] as const)));

/** The event a stored notice's kind belongs to (null for a kind no longer in the catalogue). */
export const eventOfKind = (kind: string): NoticeEvent | null => EVENT_OF_KIND.get(kind) ?? null;
