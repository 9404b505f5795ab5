import { addMonths, addWeeks, subDays } from "date-fns";
import { and, eq, gt, inArray, isNotNull, lte, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { campaignReminders, campaigns, identities, reviewItems } from "@/db/schema";
import { auditedTransaction, recordAudit, SYSTEM_ACTOR } from "@/lib/audit/record";
import { noticeDate, notify } from "@/lib/notifications/notify";
import { closeInTransaction } from "./close";
import { launchInTransaction } from "./launch";

type Recurrence = (typeof campaigns.$inferSelect)["recurrence"];

/** The next occurrence of a date in a series. */
export function nextOccurrence(date: Date, recurrence: Recurrence): Date | null {
  switch (recurrence) {
    case "weekly":
      return addWeeks(date, 1);
    case "monthly":
      return addMonths(date, 1);
    case "quarterly":
      return addMonths(date, 3);
    case "half_yearly":
      return addMonths(date, 6);
    case "yearly":
      return addMonths(date, 12);
    default:
      return null;
  }
}

/** Closes every active campaign past its due date, one transaction each. */
export async function closeDueCampaigns(db: Db, now = new Date()) {
  const due = await db
    .select({ id: campaigns.id })
    .from(campaigns)
    .where(and(eq(campaigns.status, "active"), lte(campaigns.dueAt, now)));
  let closed = 0;
  for (const { id } of due) if (await auditedTransaction(db, (tx) => closeInTransaction(tx, SYSTEM_ACTOR, id, "due date reached"))) closed++;
  return { closed };
}

/**
 * Reminds reviewers who still have open items, once per campaign and lead
 * time. When several lead times have passed at once (a campaign launched a
 * day before its due date), only the nearest is sent; the others are marked.
 */
export async function sendDueReminders(db: Db, now = new Date()) {
  const active = await db
    .select({ id: campaigns.id, name: campaigns.name, dueAt: campaigns.dueAt, reminderDays: campaigns.reminderDays })
    .from(campaigns)
    .where(and(eq(campaigns.status, "active"), gt(campaigns.dueAt, now)));
  let sent = 0;
  for (const c of active) {
    const due = [...new Set(c.reminderDays)].filter((d) => subDays(c.dueAt!, d) <= now).sort((a, b) => a - b);
    if (due.length === 0) continue;
    sent += await auditedTransaction(db, async (tx) => {
      const reviewers = await tx
        .selectDistinct({ id: reviewItems.reviewerId })
        .from(reviewItems)
        .where(and(eq(reviewItems.campaignId, c.id), sql`${reviewItems.decision} is null and ${reviewItems.closedAt} is null`));
      const marked = await tx
        .insert(campaignReminders)
        .values(due.map((d) => ({ campaignId: c.id, daysBefore: d, recipients: d === due[0] ? reviewers.length : 0 })))
        .onConflictDoNothing()
        .returning({ daysBefore: campaignReminders.daysBefore });
      if (!marked.some((m) => m.daysBefore === due[0]) || reviewers.length === 0) return 0;
      const days = Math.max(0, Math.ceil((c.dueAt!.getTime() - now.getTime()) / 86_400_000));
      return notify(
        tx,
        reviewers.map((r) => r.id),
        {
          kind: "review.reminder",
          title: `Reviews due ${days <= 1 ? "within a day" : `in ${days} days`}: ${c.name}`,
          body: "Items still wait for your decision. Undecided items follow the campaign's rule at the due date.",
          link: `/certifications/reviews?campaignId=${c.id}`,
        },
      );
    });
  }
  return { sent };
}

/**
 * Recurring campaigns create and launch their next instance when its start
 * arrives. The unique previous_id keeps it to one instance per campaign even
 * when two schedulers race; a cancelled campaign ends its series.
 */
export async function launchDueRecurrences(db: Db, now = new Date()) {
  const series = await db
    .select()
    .from(campaigns)
    .where(
      and(
        ne(campaigns.recurrence, "none"),
        inArray(campaigns.status, ["active", "completed"]),
        isNotNull(campaigns.launchedAt),
        sql`not exists (select 1 from ${campaigns} next where next.previous_id = ${campaigns.id})`,
      ),
    );
  let launched = 0;
  for (const c of series) {
    const startsAt = nextOccurrence(c.startsAt ?? c.launchedAt!, c.recurrence);
    const dueAt = c.dueAt && nextOccurrence(c.dueAt, c.recurrence);
    if (!startsAt || startsAt > now) continue;
    launched += await auditedTransaction(db, async (tx) => {
      const people = await tx
        .select({ id: identities.id })
        .from(identities)
        .where(and(inArray(identities.id, [c.fallbackReviewerId ?? c.ownerId, c.ownerId]), eq(identities.status, "active")));
      const fallbackActive = people.some((p) => p.id === c.fallbackReviewerId);
      const [next] = await tx
        .insert(campaigns)
        .values({
          name: c.name,
          description: c.description,
          scope: c.scope,
          reviewerStrategy: c.reviewerStrategy,
          reviewerIds: c.reviewerIds,
          fallbackReviewerId: fallbackActive ? c.fallbackReviewerId : c.ownerId,
          ownerId: c.ownerId,
          stages: c.stages,
          secondStageReviewerIds: c.secondStageReviewerIds,
          recurrence: c.recurrence,
          reminderDays: c.reminderDays,
          undecidedAction: c.undecidedAction,
          revokeAt: c.revokeAt,
          unusedWindowDays: c.unusedWindowDays,
          previousId: c.id,
          startsAt,
          dueAt,
        })
        .onConflictDoNothing({ target: campaigns.previousId })
        .returning({ id: campaigns.id });
      if (!next) return 0;
      await recordAudit(tx, SYSTEM_ACTOR, {
        action: "campaign.recurred",
        entityType: "campaign",
        entityId: next.id,
        after: { previousId: c.id, startsAt, dueAt },
      });
      const { items } = await launchInTransaction(tx, SYSTEM_ACTOR, next.id);
      await notify(tx, [c.ownerId], {
        kind: "campaign.launched",
        title: `Recurring campaign "${c.name}" launched`,
        body: `${items} items to review, due ${dueAt ? noticeDate(dueAt) : "—"}.`,
        link: `/certifications/${next.id}`,
      });
      return 1;
    });
  }
  return { launched };
}

/** One scheduler pass: close what is due, remind, start the next instances. Safe to run as often as wanted. */
export async function certificationTick(db: Db, now = new Date()) {
  const closed = await closeDueCampaigns(db, now);
  const reminders = await sendDueReminders(db, now);
  const recurrences = await launchDueRecurrences(db, now);
  return { ...closed, ...reminders, ...recurrences };
}
